using System.Collections.Concurrent;
using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Health;

/// <summary>
/// All targets' circuit breakers: the gate routing asks, the sink attempts and probes report to.
/// Every transition is published as an event and queued for the store, which a single background
/// loop writes, so no request waits on the disk for a breaker.
/// </summary>
public sealed class BreakerRegistry : ITargetGate, IAsyncDisposable
{
    private readonly ConcurrentDictionary<TargetRef, CircuitBreaker> _breakers = new();
    private readonly BreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly EventHub _events;
    private readonly IBreakerStore _store;
    private readonly ILogger _logger;
    private readonly BackgroundSaver<BreakerSnapshot> _saver;

    public BreakerRegistry(HealthOptions options, TimeProvider time, EventHub events, IBreakerStore store, ILogger<BreakerRegistry> logger)
    {
        _options = options.Breaker;
        _time = time;
        _events = events;
        _store = store;
        _logger = logger;
        // A breaker that cannot be persisted still protects this process; the saver says so and goes on.
        _saver = new BackgroundSaver<BreakerSnapshot>(store.Save, (target, ex) => Log.BreakerNotSaved(logger, target.ToString(), ex));
    }

    /// <summary>
    /// Loads the persisted snapshots; called once the store is open (after the ledger started). A
    /// target already judged in this process keeps its live breaker.
    /// </summary>
    public int Restore()
    {
        int restored = 0;
        foreach ((TargetRef target, BreakerSnapshot snapshot) in _store.LoadAll())
        {
            if (_breakers.TryAdd(target, new CircuitBreaker(_options, snapshot)))
            {
                restored++;
            }
        }

        return restored;
    }

    public GateVerdict Check(TargetRef target) => Verdict(Get(target).Peek(_time.GetUtcNow()));

    public GateVerdict TryEnter(TargetRef target)
    {
        string? blocked = Get(target).TryPass(_time.GetUtcNow(), out BreakerSnapshot? transition);
        Publish(target, transition);
        return Verdict(blocked);
    }

    private static GateVerdict Verdict(string? blocked) => blocked is null ? GateVerdict.Pass : GateVerdict.Blocked(blocked);

    public void Report(TargetRef target, bool success, string reason) =>
        Publish(target, Get(target).Record(success, _time.GetUtcNow(), reason));

    public void Abandon(TargetRef target) => Get(target).Abandon();

    /// <summary>A probe speaks for every target of its provider.</summary>
    public void ReportProbe(IEnumerable<TargetRef> targets, Providers.ProbeResult result)
    {
        if (result.Skipped)
        {
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        foreach (TargetRef target in targets)
        {
            CircuitBreaker breaker = Get(target);
            Publish(target, result.Ok ? breaker.ProbeSucceeded(now) : breaker.Record(false, now, "probe: " + result.Detail));
        }
    }

    public BreakerSnapshot Snapshot(TargetRef target) => Get(target).Snapshot();

    private CircuitBreaker Get(TargetRef target) =>
        _breakers.GetOrAdd(target, static (_, state) => new CircuitBreaker(state.Options, CircuitBreaker.Fresh(state.Now)), (Options: _options, Now: _time.GetUtcNow()));

    private void Publish(TargetRef target, BreakerSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        Log.BreakerTransition(_logger, target.ToString(), snapshot.State.ToName(), snapshot.Reason);
        _saver.Enqueue(target, snapshot);
        ProviderState current = snapshot.State switch
        {
            BreakerState.Open => ProviderState.Unavailable,
            BreakerState.HalfOpen => ProviderState.Degraded,
            _ => ProviderState.Healthy,
        };
        _events.PublishStateChange(target, ProviderState.Unspecified, current, $"circuit {snapshot.State.ToName()}: {snapshot.Reason}");
    }

    public ValueTask DisposeAsync() => _saver.DisposeAsync();
}
