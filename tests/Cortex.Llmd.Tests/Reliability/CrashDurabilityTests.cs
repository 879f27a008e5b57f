using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Model;
using Cortex.Llmd.Tests.Ledger;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Crash durability (issue #10's reliability table): the daemon, a real child process, is SIGKILLed at
/// random moments under load, again and again on one ledger. After every kill no answered call may miss
/// its ledger row, the file must pass <c>PRAGMA integrity_check</c>, and the persisted target state (an
/// open breaker) must be back after the restart. Both ledger durabilities promise this: crash (the
/// default, no fsync per commit) gets 10 rounds in CI, power (fsync per commit) 4; the soak multiplies them.
/// </summary>
public class CrashDurabilityTests
{
    private const int Callers = 16;
    private static readonly TargetRef Broken = new("broken", "broken-1");

    private static readonly TargetRef Limited = new("limited", "gpt-limited");

    private string Config(string durability) => $$"""
        {
          "logging": { "level": "warning" },
          "ledger": { "durability": "{{durability}}" },
          "providers": {
            "mock": { "kind": "mock", "defaultModel": "mock-1", "reply": "durable {prompt}", "latency": "2ms" },
            "broken": { "kind": "mock", "defaultModel": "broken-1", "failure": "error", "retries": 0 },
            "limited": { "kind": "openai", "baseUrl": "{{_limited.BaseUrl}}", "requireKey": false, "defaultModel": "gpt-limited", "retries": 0, "timeout": "5s" }
          },
          "routes": {
            "default": { "targets": ["mock/mock-1"] },
            "broken": { "targets": ["broken/broken-1"] },
            "limited": { "targets": ["limited/gpt-limited"] }
          },
          "tasks": { "default": "default" },
          "health": { "breaker": { "minimumThroughput": 3, "breakDuration": "1h" }, "probes": { "enabled": false } }
        }
        """;

    private string _dir = null!;
    private FakeOpenAiServer _limited = null!;

    [SetUp]
    public async Task CreateDirectory()
    {
        _dir = TempDirectory.Create();
        _limited = await FakeOpenAiServer.StartNewAsync();
    }

    [TearDown]
    public async Task DeleteDirectory()
    {
        await _limited.DisposeAsync();
        TempDirectory.Delete(_dir);
    }

    [TestCase("crash", 10)]
    [TestCase("power", 4)]
    public async Task Complete_SigkilledAtRandomMomentsUnderLoad_AnsweredRowsIntegrityBreakerAndCooldownSurviveEveryRound(string durability, int ciRounds)
    {
        int rounds = ReliabilityScale.Of(ciRounds);
        int seed = Environment.TickCount;
        var random = new Random(seed);
        TestContext.Progress.WriteLine($"crash durability ({durability}): {rounds} rounds, seed {seed}");
        string config = Path.Combine(_dir, "config.json");
        await File.WriteAllTextAsync(config, Config(durability));
        string ledger = Path.Combine(_dir, "ledger.db");
        int totalAnswered = 0;

        for (int round = 0; round < rounds; round++)
        {
            using DaemonProcess daemon = await StartAsync(config, ledger);
            using var client = new CortexLlmClient(SocketPath);
            if (round == 0)
            {
                await PrepareStateToRestoreAsync(client, ledger, _limited);
            }
            else
            {
                AssertStateRestored(await client.ListProvidersAsync(), round);
            }

            CallLoad load = CallLoad.Start(client, Callers, (w, i) => Ask(round, w, i));
            await LedgerTestData.WaitUntilAsync(() => load.Answered.Count > 0, $"round {round}: a first answer", 30_000);
            await Task.Delay(random.Next(0, 600)); // a random moment of the load
            daemon.Signal(9);
            await load.StopAsync(TimeSpan.FromSeconds(30));
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

            HashSet<string> stored = LedgerTestData.StoredRequestIds(ledger);
            Assert.That(load.Answered.Where(id => !stored.Contains(id)), Is.Empty, $"round {round} (seed {seed}): answers whose row the SIGKILL lost");
            Assert.That(IntegrityCheck(ledger), Is.EqualTo("ok"), $"round {round} (seed {seed})");
            totalAnswered += load.Answered.Count;
        }

        using (DaemonProcess last = await StartAsync(config, ledger))
        {
            using var client = new CortexLlmClient(SocketPath);
            AssertStateRestored(await client.ListProvidersAsync(), rounds);
        }

        TestContext.Progress.WriteLine($"crash durability ({durability}): {totalAnswered} answers across {rounds} SIGKILLs, none lost");
    }

    private string SocketPath => Path.Combine(_dir, "llmd.sock");

    private static CompleteRequest Ask(int round, int worker, int i) =>
        new() { Messages = { new Message { Role = Role.User, Content = $"round {round} caller {worker} call {i}" } }, TenantId = "crash" };

    private async Task<DaemonProcess> StartAsync(string config, string ledger)
    {
        DaemonProcess daemon = DaemonProcess.Start(
            new Dictionary<string, string> { ["CORTEX_LLMD_LEDGER__PATH"] = ledger }, "--config", config, "--socket", SocketPath);
        try
        {
            await daemon.WaitUntilServingAsync(SocketPath, TimeSpan.FromSeconds(60));
        }
        catch
        {
            daemon.Dispose();
            throw;
        }

        return daemon;
    }

    /// <summary>
    /// Puts the persisted target state in place before the first kill, and waits until it is in the
    /// ledger file: the "broken" target fails until its breaker opens. Persisted rate-limit cooldowns
    /// (Retry-After, issue #10 item 5) are to be set up here as well, next to the breaker.
    /// </summary>
    private static async Task PrepareStateToRestoreAsync(CortexLlmClient client, string ledger, FakeOpenAiServer limited)
    {
        // A 429 asking for an hour: the cooldown must outlive every kill.
        limited.Enqueue(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromHours(1) });
        var limitedError = await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(new CompleteRequest
        {
            Route = "limited",
            Messages = { new Message { Role = Role.User, Content = "slow down" } },
        }));
        Assert.That(limitedError!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        await LedgerTestData.WaitUntilAsync(() => PersistedCooldownUntil(ledger, Limited) > DateTimeOffset.UtcNow.AddMinutes(50).ToUnixTimeMilliseconds(), "the cooldown in the ledger file", 10_000);

        for (int i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(new CompleteRequest
            {
                Route = "broken",
                Messages = { new Message { Role = Role.User, Content = "fail" } },
            }));
            Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        await LedgerTestData.WaitUntilAsync(() => PersistedBreakerState(ledger, Broken) == "open", "the open breaker in the ledger file", 10_000);
    }

    /// <summary>
    /// What a restart must restore, as ListProviders shows it: the breaker opened before the first kill is
    /// still open, and the hour-long rate-limit cooldown is still running.
    /// </summary>
    private static void AssertStateRestored(ListProvidersResponse listed, int round)
    {
        ProviderTarget? target = listed.Providers.SelectMany(p => p.Targets)
            .SingleOrDefault(t => t.Provider == Broken.Provider && t.Model == Broken.Model);
        Assert.That(target?.Breaker, Is.EqualTo("open"), $"after kill {round}: the breaker of {Broken.Provider}/{Broken.Model}");
        ProviderTarget? limited = listed.Providers.SelectMany(p => p.Targets)
            .SingleOrDefault(t => t.Provider == Limited.Provider && t.Model == Limited.Model);
        Assert.That(limited?.CooldownUntilUnixMs, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(50).ToUnixTimeMilliseconds()), $"after kill {round}: the cooldown of {Limited.Provider}/{Limited.Model}");
        Assert.That(limited!.StateReason, Does.StartWith("rate limited until "));
    }

    private static long PersistedCooldownUntil(string ledger, TargetRef target)
    {
        using SqliteConnection connection = Open(ledger);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT until_ms FROM cooldowns WHERE provider = $p AND model = $m";
        command.Parameters.AddWithValue("$p", target.Provider);
        command.Parameters.AddWithValue("$m", target.Model);
        return command.ExecuteScalar() is long until ? until : 0;
    }

    private static string? PersistedBreakerState(string ledger, TargetRef target)
    {
        using SqliteConnection connection = Open(ledger);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM breakers WHERE provider = $p AND model = $m";
        command.Parameters.AddWithValue("$p", target.Provider);
        command.Parameters.AddWithValue("$m", target.Model);
        return command.ExecuteScalar() as string;
    }

    private static string IntegrityCheck(string ledger)
    {
        using SqliteConnection connection = Open(ledger);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return string.Join("; ", ReadAll(command));
    }

    private static IEnumerable<string> ReadAll(SqliteCommand command)
    {
        using SqliteDataReader reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }

    private static SqliteConnection Open(string ledger)
    {
        var connection = new SqliteConnection($"Data Source={ledger};Pooling=False");
        connection.Open();
        return connection;
    }
}
