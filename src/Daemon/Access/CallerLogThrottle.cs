using System.Collections.Concurrent;

namespace Cortex.Llmd.Access;

/// <summary>
/// Lets a refusal of one caller reach the log at most once per window, so a caller hammering the socket
/// cannot flood the journal. Each logged line carries how many refusals were held back before it.
/// Entries older than the window are dropped, so memory holds only recently refused callers.
/// </summary>
public sealed class CallerLogThrottle(TimeProvider time, TimeSpan window)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(long Uid, string Kind), Entry> _entries = new();
    private readonly long _origin = time.GetTimestamp();
    private long _lastSweepTicks;

    public int EntryCount => _entries.Count;

    /// <summary>True when this refusal should be logged; <paramref name="suppressed"/> counts those held back since the last line.</summary>
    public bool ShouldLog(uint? uid, string kind, out long suppressed)
    {
        TimeSpan now = time.GetElapsedTime(_origin);
        Sweep(now);
        Entry entry = _entries.GetOrAdd((uid is { } id ? id : -1L, kind), static _ => new Entry());
        lock (entry)
        {
            if (entry.LoggedAt is { } at && now - at < window)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LoggedAt = now;
            return true;
        }
    }

    private void Sweep(TimeSpan now)
    {
        long last = Interlocked.Read(ref _lastSweepTicks);
        if (now.Ticks - last < window.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now.Ticks, last) != last)
        {
            return;
        }

        foreach (((long, string) key, Entry entry) in _entries)
        {
            lock (entry)
            {
                // Past its window an entry lets the next refusal through anyway; one that still holds back
                // refusals is kept one window more, so a returning caller's line can report them.
                if (entry.LoggedAt is { } at && now - at >= (entry.Suppressed == 0 ? window : window * 2))
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }
    }

    private sealed class Entry
    {
        public TimeSpan? LoggedAt { get; set; }

        public long Suppressed { get; set; }
    }
}
