using System.Collections.Concurrent;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Model;

/// <summary>
/// Live state of one provider/model target: in-flight count, latency EWMA, outcome counters.
/// Kept by target name, so it survives config reloads.
/// </summary>
public sealed class TargetState(TargetRef target)
{
    // Weight of the newest latency sample: recent behaviour matters, one outlier does not dominate.
    private const double EwmaAlpha = 0.3;

    private readonly Lock _gate = new();
    private int _inFlight;
    private double _ewmaMicros;
    private long _successes;
    private long _failures;
    private string _lastError = string.Empty;
    private ProviderState _state = ProviderState.Healthy;
    // Null until the first attempt ends: a target never used has no state to date (ListProviders sends 0).
    private DateTimeOffset? _stateSince;

    public TargetRef Target { get; } = target;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Null until the first attempt finished: an unmeasured target is not assumed fast or slow.</summary>
    public TimeSpan? LatencyEwma
    {
        get
        {
            lock (_gate)
            {
                return _successes + _failures == 0 ? null : TimeSpan.FromMicroseconds(_ewmaMicros);
            }
        }
    }

    public void Begin() => Interlocked.Increment(ref _inFlight);

    /// <summary>Ends an attempt. Returns the previous state when this outcome changed it, else null.</summary>
    public ProviderState? End(bool success, TimeSpan latency, string? error, DateTimeOffset now)
    {
        Interlocked.Decrement(ref _inFlight);
        lock (_gate)
        {
            _stateSince ??= now;
            double micros = latency.Ticks / (double)TimeSpan.TicksPerMicrosecond;
            _ewmaMicros = _successes + _failures == 0 ? micros : (EwmaAlpha * micros) + ((1 - EwmaAlpha) * _ewmaMicros);
            ProviderState next = success ? ProviderState.Healthy : ProviderState.Degraded;
            if (success)
            {
                _successes++;
            }
            else
            {
                _failures++;
                _lastError = error ?? string.Empty;
            }

            if (next == _state)
            {
                return null;
            }

            ProviderState previous = _state;
            _state = next;
            _stateSince = now;
            return previous;
        }
    }

    /// <summary>Ends an attempt the caller cancelled: it says nothing about the provider.</summary>
    public void Abandon() => Interlocked.Decrement(ref _inFlight);

    public ProviderTarget Snapshot()
    {
        lock (_gate)
        {
            return new ProviderTarget
            {
                Provider = Target.Provider,
                Model = Target.Model,
                State = _state,
                StateReason = _state == ProviderState.Degraded ? "last attempt failed" : string.Empty,
                StateSinceUnixMs = _stateSince?.ToUnixTimeMilliseconds() ?? 0,
                LatencyEwmaUs = (ulong)_ewmaMicros,
                InFlight = (uint)Math.Max(0, InFlight),
                Successes = (ulong)_successes,
                Failures = (ulong)_failures,
                LastError = _lastError,
            };
        }
    }
}

public sealed class TargetStateRegistry
{
    private readonly ConcurrentDictionary<TargetRef, TargetState> _states = new();

    public TargetState Get(TargetRef target) =>
        _states.GetOrAdd(target, static t => new TargetState(t));

    public int TotalInFlight => _states.Values.Sum(s => s.InFlight);
}
