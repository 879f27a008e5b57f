using System.Diagnostics;

namespace Cortex.Llmd.Bench.Load;

/// <summary>Percentiles of one run, in microseconds; nearest-rank on the sorted samples.</summary>
internal sealed record LatencySummary(int Count, double P50, double P99, double P999, double Max)
{
    public static readonly LatencySummary Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>Sorts <paramref name="ticks"/> in place (Stopwatch ticks).</summary>
    public static LatencySummary Of(long[] ticks, int count)
    {
        if (count == 0)
        {
            return Empty;
        }

        Array.Sort(ticks, 0, count);
        return new LatencySummary(count, At(ticks, count, 0.50), At(ticks, count, 0.99), At(ticks, count, 0.999), Micros(ticks[count - 1]));
    }

    public static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static double At(long[] sorted, int count, double quantile) =>
        Micros(sorted[Math.Clamp((int)Math.Ceiling(quantile * count) - 1, 0, count - 1)]);
}
