using System.Collections.Concurrent;

namespace Cortex.Llmd.Logging;

/// <summary>
/// A token bucket per log event (category and event id), so that no caller can make one line repeat
/// faster than <see cref="RefillPerSecond"/> after a burst of <see cref="Burst"/>. Keys are bounded: they
/// are the events compiled into the daemon and its libraries, never caller text.
/// </summary>
public sealed class LineBudget(TimeProvider time)
{
    public const int Burst = 20;

    public const double RefillPerSecond = 1;

    private readonly ConcurrentDictionary<(string Category, int EventId), Bucket> _buckets = new();

    /// <summary>
    /// Takes one line from the event's bucket. True when it may be written; <paramref name="suppressed"/>
    /// is then the number of lines of the same event dropped since the last one written.
    /// </summary>
    public bool TryTake(string category, int eventId, out long suppressed) =>
        _buckets.GetOrAdd((category, eventId), static (_, now) => new Bucket(now), time.GetTimestamp()).TryTake(time, out suppressed);

    private sealed class Bucket(long createdAt)
    {
        private readonly Lock _gate = new();
        private double _tokens = Burst;
        private long _refilledAt = createdAt;
        private long _suppressed;

        public bool TryTake(TimeProvider time, out long suppressed)
        {
            lock (_gate)
            {
                long now = time.GetTimestamp();
                _tokens = Math.Min(Burst, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * RefillPerSecond));
                _refilledAt = now;
                if (_tokens < 1)
                {
                    _suppressed++;
                    suppressed = 0;
                    return false;
                }

                _tokens--;
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }
        }
    }
}
