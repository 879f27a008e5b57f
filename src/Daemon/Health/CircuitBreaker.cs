namespace Cortex.Llmd.Health;

/// <summary>
/// One target's breaker. Closed: outcomes are sampled, and when at least MinimumThroughput samples in
/// the window fail at FailureRatio or more, it opens. Open: the target is skipped until BreakDuration
/// ends or a probe succeeds; then it is half-open and lets one trial through. The trial's outcome
/// closes or re-opens it. Owns no timers: time is read from the injected clock when asked.
/// </summary>
public sealed class CircuitBreaker(BreakerOptions options, BreakerSnapshot initial)
{
    private readonly Lock _gate = new();
    private readonly BreakerWindow _samples = new(options.SamplingDuration, initial.Samples);
    private BreakerState _state = initial.State;
    private DateTimeOffset _since = initial.Since;
    private DateTimeOffset? _openedAt = initial.OpenedAt;
    private DateTimeOffset? _blockedUntil = initial.BlockedUntil;
    private string _reason = initial.Reason;
    private bool _trialInFlight;

    public static BreakerSnapshot Fresh(DateTimeOffset now) => new(BreakerState.Closed, now, null, null, [], string.Empty);

    /// <summary>Null when a call may go ahead (and, half-open, claims the one trial); else why not.</summary>
    public string? TryPass(DateTimeOffset now, out BreakerSnapshot? transition)
    {
        lock (_gate)
        {
            transition = null;
            if (_state == BreakerState.Open && now >= _blockedUntil)
            {
                transition = MoveTo(BreakerState.HalfOpen, now, "break time ended");
            }

            switch (_state)
            {
                case BreakerState.Open:
                    return $"circuit open until {_blockedUntil:yyyy-MM-ddTHH:mm:ssZ} ({_reason})";
                case BreakerState.HalfOpen when _trialInFlight:
                    return "circuit half-open: a trial call is in flight";
                case BreakerState.HalfOpen:
                    _trialInFlight = true;
                    return null;
                default:
                    return null;
            }
        }
    }

    /// <summary>Whether a call would pass, without claiming anything (for dry runs and listings).</summary>
    public string? Peek(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _state switch
            {
                BreakerState.Open when now < _blockedUntil => $"circuit open until {_blockedUntil:yyyy-MM-ddTHH:mm:ssZ} ({_reason})",
                BreakerState.HalfOpen when _trialInFlight => "circuit half-open: a trial call is in flight",
                _ => null,
            };
        }
    }

    /// <summary>Records an outcome; returns the new snapshot when the state changed.</summary>
    public BreakerSnapshot? Record(bool success, DateTimeOffset now, string reason)
    {
        lock (_gate)
        {
            _trialInFlight = false;
            if (_state == BreakerState.HalfOpen)
            {
                return success ? MoveTo(BreakerState.Closed, now, "trial call succeeded") : Open(now, "trial call failed: " + reason);
            }

            if (_state == BreakerState.Open)
            {
                return null;
            }

            _samples.Record(now, success);
            int failures = _samples.Failures;
            int total = _samples.Total;
            if (total >= options.MinimumThroughput && failures >= options.FailureRatio * total)
            {
                return Open(now, $"{failures} of {total} calls failed within {options.SamplingDuration.TotalSeconds:0}s; last: {reason}");
            }

            return null;
        }
    }

    public void Abandon()
    {
        lock (_gate)
        {
            _trialInFlight = false;
        }
    }

    /// <summary>A successful probe lets an open breaker try again at once (half-open).</summary>
    public BreakerSnapshot? ProbeSucceeded(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _state == BreakerState.Open ? MoveTo(BreakerState.HalfOpen, now, "probe succeeded") : null;
        }
    }

    public BreakerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new BreakerSnapshot(_state, _since, _openedAt, _blockedUntil, _samples.ToArray(), _reason);
        }
    }

    private BreakerSnapshot Open(DateTimeOffset now, string reason)
    {
        _openedAt = now;
        _blockedUntil = now + options.BreakDuration;
        return MoveTo(BreakerState.Open, now, reason);
    }

    private BreakerSnapshot MoveTo(BreakerState state, DateTimeOffset now, string reason)
    {
        _state = state;
        _since = now;
        _reason = reason;
        _trialInFlight = false;
        if (state == BreakerState.Closed)
        {
            _samples.Clear();
            _openedAt = null;
            _blockedUntil = null;
        }

        return new BreakerSnapshot(_state, _since, _openedAt, _blockedUntil, _samples.ToArray(), _reason);
    }
}
