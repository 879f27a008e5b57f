using System.Threading.RateLimiting;

namespace Cortex.Llmd.Access;

/// <summary>
/// A token bucket as a System.Threading.RateLimiting <see cref="RateLimiter"/>, filled continuously from
/// an injected <see cref="TimeProvider"/>. The library's own TokenBucketRateLimiter reads Stopwatch
/// directly (so tests cannot move its time) and, filled by hand, credits a full bucket's idle time to
/// the next refill; this one keeps the same contract (leases with <see cref="MetadataName.RetryAfter"/>)
/// without either problem. It never queues: a caller over its rate is answered at once.
/// </summary>
public sealed class ClockTokenBucket : RateLimiter
{
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly long _tokenTicks;
    private readonly Lock _gate = new();

    // Tokens are counted in ticks of credit (one token = _tokenTicks), so the arithmetic is exact.
    private long _credit;
    private long _filledAt;
    private long _idleSince;
    private long _refused;
    private long _granted;

    /// <param name="time">The clock the bucket fills by.</param>
    /// <param name="tokenPeriod">The time one token takes to come back (one second over the rate).</param>
    /// <param name="burst">The bucket's size: calls allowed at once after a quiet spell.</param>
    public ClockTokenBucket(TimeProvider time, TimeSpan tokenPeriod, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tokenPeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time;
        _limit = burst;
        _tokenTicks = tokenPeriod.Ticks;
        _credit = burst * _tokenTicks;
        _filledAt = _idleSince = time.GetTimestamp();
    }

    /// <summary>Time since the last acquire; a bucket idle this long is full again.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                return _time.GetElapsedTime(_idleSince);
            }
        }
    }

    /// <summary>How long an empty bucket takes to be full again.</summary>
    public TimeSpan FillTime => TimeSpan.FromTicks(_limit * _tokenTicks);

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Fill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _credit / _tokenTicks, CurrentQueuedCount = 0, TotalFailedLeases = _refused, TotalSuccessfulLeases = _granted,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _limit);
        lock (_gate)
        {
            Fill();
            _idleSince = _time.GetTimestamp();
            long needed = permitCount * _tokenTicks;
            if (_credit >= needed)
            {
                _credit -= needed;
                _granted++;
                return Lease.Granted;
            }

            _refused++;
            return new Lease(false, TimeSpan.FromTicks(needed - _credit));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Fill()
    {
        long now = _time.GetTimestamp();
        _credit = Math.Min(_limit * _tokenTicks, _credit + _time.GetElapsedTime(_filledAt, now).Ticks);
        _filledAt = now;
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name ? after : null;
            return metadata is not null;
        }
    }
}
