using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Cortex.Llmd.Access;

/// <summary>
/// One token bucket (<see cref="ClockTokenBucket"/>) per caller uid, partitioned like the library's
/// PartitionedRateLimiter but swept by the injected clock, so tests control time. A bucket idle long
/// enough to be full again is dropped: it is indistinguishable from a new one, so memory holds only
/// the callers active within the last fill time.
/// </summary>
public sealed class CallerRateLimiter(TimeProvider time) : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly long _origin = time.GetTimestamp();
    private Table? _table;
    private long _lastSweepTicks;

    /// <summary>Buckets held right now (for tests and the bounded-memory promise).</summary>
    public int BucketCount => Volatile.Read(ref _table)?.Buckets.Count ?? 0;

    /// <summary>Takes one token from the caller's bucket; a refusal says when the next token comes.</summary>
    public RateDecision TryAcquire(uint? uid, RateLimitOptions options)
    {
        if (!options.Enabled)
        {
            return RateDecision.Allowed;
        }

        Table table = TableFor(options);
        SweepIfDue(table);

        // Unknown callers (peer credentials unreadable) share one bucket: -1 is no uid.
        long key = uid is { } id ? id : -1L;
        ClockTokenBucket bucket = table.Buckets.GetOrAdd(key, static (_, state) => new ClockTokenBucket(state.time, state.Options.TokenPeriod, state.Options.Burst), (time, table.Options));

        // A sweep may drop this bucket between the lookup and here: the call then uses a full bucket
        // nobody else sees, which is what a new bucket would have given it anyway.
        using RateLimitLease lease = bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return RateDecision.Allowed;
        }

        return new RateDecision(false, lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : options.TokenPeriod);
    }

    public void Dispose() => Volatile.Write(ref _table, null);

    private Table TableFor(RateLimitOptions options)
    {
        Table? table = Volatile.Read(ref _table);
        if (table is not null && table.Options == options)
        {
            return table;
        }

        // New limits (a reload): every caller starts again with a full bucket under them.
        var fresh = new Table(options);
        Table? raced = Interlocked.CompareExchange(ref _table, fresh, table);
        return raced == table || raced is null ? fresh : raced;
    }

    private void SweepIfDue(Table table)
    {
        long now = time.GetElapsedTime(_origin).Ticks;
        long last = Interlocked.Read(ref _lastSweepTicks);
        if (now - last < SweepInterval.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return;
        }

        foreach ((long key, ClockTokenBucket bucket) in table.Buckets)
        {
            if (bucket.IdleDuration >= bucket.FillTime)
            {
                table.Buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed record Table(RateLimitOptions Options)
    {
        public ConcurrentDictionary<long, ClockTokenBucket> Buckets { get; } = new();
    }
}

/// <summary>A rate-limit verdict: allowed, or refused with the time until a token is free again.</summary>
public readonly record struct RateDecision(bool IsAllowed, TimeSpan RetryAfter)
{
    public static RateDecision Allowed => new(true, TimeSpan.Zero);
}
