using Cortex.Llmd.Stats;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Tests.Support.Stats;

/// <summary>Sums records into a stats group: the one place totals and percentiles are computed.</summary>
public sealed class StatsAggregator(string key)
{
    private readonly List<ulong> _latencies = [];
    private readonly StatsGroup _group = new() { Key = key, Usage = new Usage(), Cost = new Cost { Priced = true } };

    public void Add(RequestRecord record)
    {
        _group.Requests++;
        _group.Attempts += (ulong)record.AttemptsMade;
        if (!record.Succeeded)
        {
            _group.Failures++;
        }

        if (record.AttemptsMade > 1)
        {
            _group.Fallbacks++;
        }

        if (record.Status == "CANCELLED")
        {
            _group.Cancelled++;
        }
        else if (record.Status == "DEADLINE_EXCEEDED")
        {
            _group.DeadlineExceeded++;
        }

        Usage u = _group.Usage;
        u.InputTokens += record.Usage.InputTokens;
        u.CachedInputTokens += record.Usage.CachedInputTokens;
        u.CacheWriteTokens += record.Usage.CacheWriteTokens;
        u.OutputTokens += record.Usage.OutputTokens;
        u.ReasoningTokens += record.Usage.ReasoningTokens;
        _group.Cost.NanoUsd += record.Cost.NanoUsd;
        _group.Cost.Priced &= record.Cost.Priced || !record.Succeeded;
        _latencies.Add((ulong)(record.Latency.Ticks / TimeSpan.TicksPerMicrosecond));
    }

    public StatsGroup Build()
    {
        _latencies.Sort();
        _group.LatencyP50Us = Percentile(_latencies, 50);
        _group.LatencyP95Us = Percentile(_latencies, 95);
        return _group;
    }

    /// <summary>Nearest-rank percentile: always a latency that was really observed.</summary>
    internal static ulong Percentile(List<ulong> sorted, int percent)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        return sorted[(int)NearestRank(percent, sorted.Count) - 1];
    }

    /// <summary>The 1-based rank ceil(percent × count / 100), in integers so SQL computes the same one.</summary>
    public static long NearestRank(int percent, long count) => Math.Clamp(((percent * count) + 99) / 100, 1, Math.Max(count, 1));
}
