namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// Lets a log line through at most once per interval per key, so a caller who floods the socket
/// cannot flood the journal: refusals are logged once per uid per minute, accept failures once a
/// minute. Keys older than the interval are dropped when the table grows, so it stays small.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private const int PruneAbove = 1024;
    private readonly Dictionary<long, long> _lastLogged = [];
    private readonly Lock _lock = new();

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    /// <summary>True when a line for key may be written now.</summary>
    public bool TryEnter(long key)
    {
        long now = time.GetTimestamp();
        lock (_lock)
        {
            if (_lastLogged.TryGetValue(key, out long last) && time.GetElapsedTime(last, now) < interval)
            {
                return false;
            }

            if (_lastLogged.Count >= PruneAbove)
            {
                Prune(now);
            }

            _lastLogged[key] = now;
            return true;
        }
    }

    private void Prune(long now)
    {
        foreach (long key in _lastLogged.Where(e => time.GetElapsedTime(e.Value, now) >= interval).Select(e => e.Key).ToList())
        {
            _lastLogged.Remove(key);
        }
    }
}
