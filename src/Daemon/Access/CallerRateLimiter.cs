using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Cortex.Llmd.Access;

/// <summary>
/// One token bucket per caller uid (System.Threading.RateLimiting's <see cref="TokenBucketRateLimiter"/>),
/// refilled from the injected clock rather than a timer so tests control time. A bucket that has been
/// idle long enough to be full again is removed: it is indistinguishable from a new one, so memory holds
/// only the callers active in the last burst's worth of time.
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
        TimeSpan now = time.GetElapsedTime(_origin);
        SweepIfDue(table, now);

        // Unknown callers (peer credentials unreadable) share one bucket: -1 is no uid.
        long key = uid is { } id ? id : -1L;
        while (true)
        {
            Bucket bucket = table.Buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Options, state.Now), (table.Options, Now: now));
            lock (bucket)
            {
                if (bucket.Removed)
                {
                    continue; // a sweep took it between the lookup and the lock
                }

                return bucket.Take(now);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _table, null) is { } table)
        {
            Retire(table);
        }
    }

    private Table TableFor(RateLimitOptions options)
    {
        Table? table = Volatile.Read(ref _table);
        if (table is not null && table.Options == options)
        {
            return table;
        }

        // New limits (a reload): start every caller with a full bucket under them.
        var fresh = new Table(options);
        Table? previous = Interlocked.CompareExchange(ref _table, fresh, table);
        if (previous != table)
        {
            return previous!.Options == options ? previous : fresh;
        }

        if (table is not null)
        {
            Retire(table);
        }

        return fresh;
    }

    private void SweepIfDue(Table table, TimeSpan now)
    {
        long last = Interlocked.Read(ref _lastSweepTicks);
        if (now.Ticks - last < SweepInterval.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now.Ticks, last) != last)
        {
            return;
        }

        TimeSpan refill = table.Options.TokenPeriod * table.Options.Burst;
        foreach ((long key, Bucket bucket) in table.Buckets)
        {
            lock (bucket)
            {
                if (now - bucket.LastUsed >= refill)
                {
                    bucket.Removed = true;
                    table.Buckets.TryRemove(key, out _);
                    bucket.Limiter.Dispose();
                }
            }
        }
    }

    private static void Retire(Table table)
    {
        foreach (Bucket bucket in table.Buckets.Values)
        {
            lock (bucket)
            {
                bucket.Removed = true;
                bucket.Limiter.Dispose();
            }
        }
    }

    private sealed record Table(RateLimitOptions Options)
    {
        public ConcurrentDictionary<long, Bucket> Buckets { get; } = new();
    }

    /// <summary>One caller's bucket. Guarded by its own lock; the limiter has no timer of its own.</summary>
    private sealed class Bucket(RateLimitOptions options, TimeSpan now)
    {
        private readonly TimeSpan _period = options.TokenPeriod;
        private TimeSpan _refilledTo = now;

        public TokenBucketRateLimiter Limiter { get; } = new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = options.TokenPeriod,
            QueueLimit = 0,
            AutoReplenishment = false,
        });

        public TimeSpan LastUsed { get; private set; } = now;

        public bool Removed { get; set; }

        public RateDecision Take(TimeSpan now)
        {
            Refill(now);
            LastUsed = now;
            using RateLimitLease lease = Limiter.AttemptAcquire(1);
            if (lease.IsAcquired)
            {
                return RateDecision.Allowed;
            }

            TimeSpan wait = _period - (now - _refilledTo);
            return new RateDecision(false, wait > TimeSpan.Zero ? wait : _period);
        }

        /// <summary>Adds one token per whole period since the last refill (at most a full bucket's worth).</summary>
        private void Refill(TimeSpan now)
        {
            long periods = (now - _refilledTo).Ticks / _period.Ticks;
            if (periods <= 0)
            {
                return;
            }

            _refilledTo += _period * periods;
            long room = options.Burst - (Limiter.GetStatistics()?.CurrentAvailablePermits ?? 0);
            for (long i = Math.Min(periods, room); i > 0; i--)
            {
                Limiter.TryReplenish();
            }
        }
    }
}

/// <summary>A rate-limit verdict: allowed, or refused with the time until a token is free again.</summary>
public readonly record struct RateDecision(bool IsAllowed, TimeSpan RetryAfter)
{
    public static RateDecision Allowed => new(true, TimeSpan.Zero);
}
