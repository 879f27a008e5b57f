using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Health;
using Cortex.Llmd.Model;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Health;

/// <summary>Probes against a fake OpenAI-compatible server open and close the real breakers.</summary>
public class ProbeServiceTests
{
    private static readonly TargetRef Target = new("p", "m1");

    [Test]
    public async Task ProbeDueAsync_FailingThenRecoveringServer_OpensThenHalfOpensBreaker()
    {
        await using FakeOpenAiServer server = await FakeOpenAiServer.StartNewAsync();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        using RuntimeModel model = TestModels.FromJson($$"""
            { "providers": { "p": { "kind": "openai", "baseUrl": "{{server.BaseUrl}}", "requireKey": false } },
              "routes": { "r": { "targets": ["p/m1"] } } }
            """, time);
        var options = new HealthOptions(
            new BreakerOptions { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromMinutes(10) },
            new ProbeOptions { Interval = TimeSpan.FromSeconds(10), Jitter = 0 });
        var events = new EventHub(time);
        using EventSubscription probeEvents = events.Subscribe([Cortex.Llm.V1.EventKind.ProbeFailed]);
        await using var breakers = new BreakerRegistry(options, time, events, new InMemoryBreakerStore(), NullLogger<BreakerRegistry>.Instance);
        var status = new ProbeStatus();
        var probes = new ProbeService(new RuntimeModelHolder(model), breakers, status, events, options, time, new Random(7), NullLogger<ProbeService>.Instance);

        await probes.ProbeDueAsync(CancellationToken.None); // schedules the first probe
        server.Enqueue(new ProviderFault { Status = 503 }, new ProviderFault { Status = 503 });
        for (int i = 0; i < 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(11));
            await probes.ProbeDueAsync(CancellationToken.None);
        }

        Assert.That(breakers.Snapshot(Target).State, Is.EqualTo(BreakerState.Open));
        Assert.That(breakers.Check(Target).Reason, Does.StartWith("circuit open"));
        Assert.That(status.Get("p")!.Value.Result.HttpStatus, Is.EqualTo(503));
        Assert.That((await probeEvents.ReadAsync(CancellationToken.None)).ProbeFailed.Provider, Is.EqualTo("p"));

        time.Advance(TimeSpan.FromSeconds(11));
        await probes.ProbeDueAsync(CancellationToken.None);

        Assert.That(breakers.Snapshot(Target).State, Is.EqualTo(BreakerState.HalfOpen));
        Assert.That(status.Get("p")!.Value.Result.Ok, Is.True);
        Assert.That(server.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/models", StringComparison.Ordinal)), Is.EqualTo(3));
    }

    [Test]
    public async Task ProbeDueAsync_MockProvider_RecordsNoProbeResult()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        using RuntimeModel model = TestModels.FromJson("""
            { "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }
            """, time);
        var options = new HealthOptions(new BreakerOptions(), new ProbeOptions { Interval = TimeSpan.FromSeconds(10), Jitter = 0 });
        var events = new EventHub(time);
        await using var breakers = new BreakerRegistry(options, time, events, new InMemoryBreakerStore(), NullLogger<BreakerRegistry>.Instance);
        var status = new ProbeStatus();
        var probes = new ProbeService(new RuntimeModelHolder(model), breakers, status, events, options, time, new Random(7), NullLogger<ProbeService>.Instance);

        await probes.ProbeDueAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(11));
        await probes.ProbeDueAsync(CancellationToken.None);

        Assert.That(status.Get("m"), Is.Null, "the mock is never probed, so ListProviders must not show a probe result for it");
    }
}
