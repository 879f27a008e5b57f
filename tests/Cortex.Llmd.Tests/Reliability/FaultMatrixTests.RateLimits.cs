using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Rate-limit memory, on the matrix's daemon: a 429's wait outlives its request, later requests skip the
/// target without calling it (and say so in the attempt log), ListProviders shows it, and it survives a restart.
/// </summary>
public partial class FaultMatrixTests
{
    private static CompleteRequest Plain() => new() { Route = MatrixRoute, Messages = { new Message { Role = Role.User, Content = "after the 429" } } };

    [Test]
    public async Task Complete_AfterLongRetryAfter_NextRequestSkipsTargetWithoutACall()
    {
        await using TestDaemon daemon = await StartDaemonAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);
        _faulty.Enqueue(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(120) });
        await client.CompleteAsync(Plain());
        int calls = _faulty.Requests.Count;

        CompleteResponse second = await client.CompleteAsync(Plain());

        Assert.That(second.Attempts.Select(a => (a.Provider, a.Outcome, a.LatencyUs, a.HttpStatus)),
            Is.EqualTo(new[] { (Faulty, AttemptOutcome.Skipped, 0UL, 0u), (Healthy, AttemptOutcome.Success, second.Attempts[1].LatencyUs, 200u) }));
        Assert.That(second.Attempts[0].Reason, Does.Match(@"^skipped: rate limited until \d\d:\d\d:\d\dZ \(Retry-After 120s\)$"));
        Assert.That(_faulty.Requests.Count, Is.EqualTo(calls), "a cooling target is not called");
        var row = await LedgerRowAsync(daemon, second.RequestId);
        Assert.That((row.AttemptsMade, row.Attempts.Count), Is.EqualTo((1, 2)), "the skip is logged but is not an attempt");
        GetStatsResponse stats = await client.GetStatsAsync(new GetStatsRequest());
        Assert.That((stats.Total.Requests, stats.Total.Attempts, stats.Total.Fallbacks), Is.EqualTo((2UL, 3UL, 1UL)),
            "the first request's 429 and fallback count; the second's skip does not");
    }

    [Test]
    public async Task ListProviders_TargetCoolingDown_ShowsUnavailableWithTheEnd()
    {
        await using TestDaemon daemon = await StartDaemonAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);
        _faulty.Enqueue(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(120) });
        long asked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await client.CompleteAsync(Plain());

        ProviderTarget target = (await client.ListProvidersAsync()).Providers.Single(p => p.Name == Faulty).Targets.Single();

        Assert.That(target.State, Is.EqualTo(ProviderState.Unavailable));
        Assert.That(target.StateReason, Does.StartWith("rate limited until ").And.EndWith("(Retry-After 120s)"));
        Assert.That(target.CooldownUntilUnixMs, Is.InRange(asked + 119_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 120_000));
        ProviderTarget healthy = (await client.ListProvidersAsync()).Providers.Single(p => p.Name == Healthy).Targets.Single();
        Assert.That(healthy.CooldownUntilUnixMs, Is.Zero);
    }

    [Test]
    public async Task Complete_CooldownThenRestart_CooldownIsRestoredFromTheLedger()
    {
        string dir = TempDirectory.Create();
        try
        {
            string ledger = Path.Combine(dir, "ledger.db");
            await using (TestDaemon first = await StartDaemonAsync(ledgerPath: ledger))
            {
                using var client = new CortexLlmClient(first.SocketPath);
                _faulty.Enqueue(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(120) });
                await client.CompleteAsync(Plain());
            }

            int calls = _faulty.Requests.Count;
            await using TestDaemon second = await StartDaemonAsync(ledgerPath: ledger);
            using var again = new CortexLlmClient(second.SocketPath);
            CompleteResponse answer = await again.CompleteAsync(Plain());

            Assert.That(answer.Attempts.Select(a => (a.Provider, a.Outcome)), Is.EqualTo(new[] { (Faulty, AttemptOutcome.Skipped), (Healthy, AttemptOutcome.Success) }));
            Assert.That(_faulty.Requests.Count, Is.EqualTo(calls), "the restarted daemon remembers the wait");
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Test]
    public async Task Complete_OpenAiResetHeaderWithoutRetryAfter_CoolsDownForTheExhaustedLimit()
    {
        await using TestDaemon daemon = await StartDaemonAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);
        _faulty.Enqueue(new ProviderFault
        {
            Status = 429,
            Headers = new Dictionary<string, string>
            {
                ["x-ratelimit-remaining-requests"] = "0",
                ["x-ratelimit-reset-requests"] = "6m0s",
                ["x-ratelimit-remaining-tokens"] = "9000",
                ["x-ratelimit-reset-tokens"] = "20ms",
            },
        });
        long asked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await client.CompleteAsync(Plain());

        ProviderTarget target = (await client.ListProvidersAsync()).Providers.Single(p => p.Name == Faulty).Targets.Single();

        Assert.That(target.StateReason, Does.EndWith("(x-ratelimit-reset-requests 6m0s)"));
        Assert.That(target.CooldownUntilUnixMs, Is.InRange(asked + 359_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 360_000));
    }

    [Test]
    public async Task Complete_RetryAfterBeyondTheCap_CoolsDownOnlyUntilTheCap()
    {
        await using TestDaemon daemon = await StartDaemonAsync(extraHealth: ", \"maxCooldown\": \"30s\"");
        using var client = new CortexLlmClient(daemon.SocketPath);
        _faulty.Enqueue(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromHours(5) });
        long asked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await client.CompleteAsync(Plain());

        ProviderTarget target = (await client.ListProvidersAsync()).Providers.Single(p => p.Name == Faulty).Targets.Single();

        Assert.That(target.StateReason, Does.EndWith("(Retry-After 18000s, capped at 30s)"));
        Assert.That(target.CooldownUntilUnixMs, Is.InRange(asked + 29_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 30_000));
    }
}
