using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Budgets;

/// <summary>
/// Budgets inside the daemon. "cloud/m" costs $0.001 a token; a request of 4 bytes with max_tokens 8
/// reserves 28 tokens ($0.028): an input bound of 20 (4 bytes, 8 for its message, 8 for the request)
/// and 8 of output. The mock bills exactly 20 + 8 tokens, so a $0.056 budget admits two.
/// </summary>
public class BudgetDaemonTests
{
    private static string Config(string budget) => $$"""
        {
          "logging": { "level": "warning" },
          "providers": {
            "cloud": { "kind": "mock", "usage": { "inputTokens": 20, "outputTokens": 8 },
                       "models": { "m": { "price": { "input": "1000", "output": "1000" } } } },
            "local": { "kind": "mock", "reply": "local answer" }
          },
          "routes": { "main": { "targets": ["cloud/m"] }, "local": { "targets": ["local/l"] } },
          "tasks": { "default": "main" },
          "health": { "probes": { "enabled": false } },
          "budgets": [ {{budget}} ]
        }
        """;

    private static CompleteRequest Ask() => new() { Messages = { new Message { Role = Role.User, Content = "abcd" } }, MaxTokens = 8, TenantId = "acme" };

    [Test]
    public async Task Complete_RejectBudgetSpentExactlyToLimit_ThirdRequestIsResourceExhaustedAndRecordedWithoutAttempts()
    {
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config("""{ "name": "day", "scope": "global", "daily": "0.056" }"""));
        using var client = new CortexLlmClient(daemon.SocketPath);

        CompleteResponse first = await client.CompleteAsync(Ask());
        await client.CompleteAsync(Ask());
        var ex = (await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(Ask())))!;

        Assert.That(first.Cost.NanoUsd, Is.EqualTo(28_000_000), "the premise: each request costs its whole reservation");
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(ex.Status.Detail, Is.EqualTo("budget 'day' (daily, global) exhausted: spent $0.056000 of $0.056000"));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(daemon.Directory, "ledger.db")};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT status, attempts, cost_nano_usd FROM requests ORDER BY time_ms DESC, rowid DESC LIMIT 1";
        using SqliteDataReader reader = command.ExecuteReader();
        Assert.That(reader.Read(), Is.True);
        Assert.That((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)), Is.EqualTo(("RESOURCE_EXHAUSTED", 0L, 0L)));
    }

    [Test]
    public async Task Complete_DowngradeBudgetExhausted_AnswersFromDowngradeRoute()
    {
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config(
            """{ "name": "acme", "scope": "tenant", "match": "acme", "monthly": "0.028", "onExhausted": "downgrade", "downgradeRoute": "local" }"""));
        using var client = new CortexLlmClient(daemon.SocketPath);

        CompleteResponse before = await client.CompleteAsync(Ask());
        CompleteResponse after = await client.CompleteAsync(Ask());
        CompleteResponse otherTenant = await client.CompleteAsync(new CompleteRequest(Ask()) { TenantId = "other" });

        Assert.That((before.Route, before.Provider), Is.EqualTo(("main", "cloud")));
        Assert.That((after.Route, after.Provider, after.Content), Is.EqualTo(("local", "local", "local answer")));
        Assert.That(otherTenant.Provider, Is.EqualTo("cloud"), "another tenant is not under this budget");
    }

    [Test]
    public async Task Complete_DowngradeRouteStillCosts_IsRejected()
    {
        string config = Config("""{ "name": "all", "scope": "global", "daily": "0.028", "onExhausted": "downgrade", "downgradeRoute": "main" }""");
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(config);
        using var client = new CortexLlmClient(daemon.SocketPath);

        await client.CompleteAsync(Ask());
        var ex = (await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(Ask())))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(ex.Status.Detail, Does.EndWith("its downgrade route 'main' could still cost up to $0.028000"));
    }

    [Test]
    public async Task Complete_AfterRestart_SpendIsLoadedFromTheLedger()
    {
        string dir = TempDirectory.Create();
        try
        {
            var settings = new DaemonAppSettings { ConfigureLogging = _ => { }, LedgerPath = Path.Combine(dir, "ledger.db") };
            string config = Config("""{ "name": "month", "scope": "global", "monthly": "0.056" }""");
            await using (TestDaemon first = await TestDaemon.StartFromJsonAsync(config, settings))
            {
                using var client = new CortexLlmClient(first.SocketPath);
                await client.CompleteAsync(Ask());
                await client.CompleteAsync(Ask());
            }

            await using TestDaemon second = await TestDaemon.StartFromJsonAsync(config, settings);
            using var again = new CortexLlmClient(second.SocketPath);
            var ex = (await Assert.ThrowsAsync<RpcException>(() => again.CompleteAsync(Ask())))!;

            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(ex.Status.Detail, Does.Contain("spent $0.056000 of $0.056000"));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Test]
    public async Task Complete_ConcurrentBurstOf50_SpendStaysWithinLimit()
    {
        // Each request holds its reservation for 300 ms, so the burst overlaps; the budget allows 10 worst cases.
        string config = Config("""{ "name": "burst", "scope": "global", "daily": "0.28" }""").Replace("\"usage\"", "\"latency\": \"300ms\", \"usage\"", StringComparison.Ordinal);
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(config);
        using var client = new CortexLlmClient(daemon.SocketPath);

        Task<CompleteResponse>[] burst = [.. Enumerable.Range(0, 50).Select(_ => client.CompleteAsync(Ask()))];
        try
        {
            await Task.WhenAll(burst);
        }
        catch (RpcException)
        {
            // counted below
        }

        CompleteResponse[] answered = [.. burst.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
        Assert.That(burst.Where(t => t.IsFaulted).Select(t => ((RpcException)t.Exception!.InnerException!).StatusCode),
            Is.All.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(answered, Has.Length.EqualTo(10), "each spends its whole reservation, so exactly ten fit");
        Assert.That(answered.Sum(a => a.Cost.NanoUsd), Is.LessThanOrEqualTo(280_000_000));
    }
}
