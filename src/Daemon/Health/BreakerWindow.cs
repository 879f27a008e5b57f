namespace Cortex.Llmd.Health;

/// <summary>
/// A breaker's sampling window as ten counting buckets, one per tenth of the sampling duration, with
/// running totals. One sample per call would cost a queue entry per request (300,000 of them at
/// 5,000 calls/s over a minute) and a scan of them all on every call. The window slides in tenths: a
/// bucket is dropped once its start falls out of the window, so the oldest tenth is forgotten a little
/// early rather than a little late. Not thread-safe: the breaker holds its lock.
/// </summary>
internal sealed class BreakerWindow
{
    public const int Buckets = 10;

    private readonly long _bucketMs;
    private readonly long _windowMs;
    private readonly Queue<BreakerSample> _buckets = new(Buckets + 1);
    private BreakerSample _current;
    private bool _hasCurrent;

    public BreakerWindow(TimeSpan samplingDuration, IEnumerable<BreakerSample> restored)
    {
        _windowMs = Math.Max(1, (long)samplingDuration.TotalMilliseconds);
        _bucketMs = Math.Max(1, _windowMs / Buckets);
        foreach (BreakerSample sample in restored.OrderBy(s => s.At))
        {
            Add(sample.At, sample.Successes, sample.Failures);
        }
    }

    public int Total { get; private set; }

    public int Failures { get; private set; }

    public void Record(DateTimeOffset now, bool success)
    {
        Add(now, success ? 1 : 0, success ? 0 : 1);
        Expire(now);
    }

    public void Clear()
    {
        _buckets.Clear();
        _hasCurrent = false;
        Total = 0;
        Failures = 0;
    }

    /// <summary>The buckets, oldest first, for a snapshot.</summary>
    public BreakerSample[] ToArray()
    {
        var all = new BreakerSample[_buckets.Count + (_hasCurrent ? 1 : 0)];
        _buckets.CopyTo(all, 0);
        if (_hasCurrent)
        {
            all[^1] = _current;
        }

        return all;
    }

    private void Add(DateTimeOffset at, int successes, int failures)
    {
        long ms = at.ToUnixTimeMilliseconds();
        DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(ms - (((ms % _bucketMs) + _bucketMs) % _bucketMs));
        if (_hasCurrent && _current.At != start)
        {
            if (start < _current.At)
            {
                // A clock step backwards (or an unordered restore): count it in the newest bucket.
                start = _current.At;
            }
            else
            {
                _buckets.Enqueue(_current);
                _hasCurrent = false;
            }
        }

        _current = _hasCurrent
            ? _current with { Successes = _current.Successes + successes, Failures = _current.Failures + failures }
            : new BreakerSample(start, successes, failures);
        _hasCurrent = true;
        Total += successes + failures;
        Failures += failures;
    }

    private void Expire(DateTimeOffset now)
    {
        DateTimeOffset windowStart = now.AddMilliseconds(-_windowMs);
        while (_buckets.Count > 0 && _buckets.Peek().At < windowStart)
        {
            Forget(_buckets.Dequeue());
        }

        if (_hasCurrent && _current.At < windowStart)
        {
            Forget(_current);
            _hasCurrent = false;
        }
    }

    private void Forget(BreakerSample bucket)
    {
        Total -= bucket.Successes + bucket.Failures;
        Failures -= bucket.Failures;
    }
}
