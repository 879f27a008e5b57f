using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench.Report;

/// <summary>Issue #11's targets, each beside what this run measured and whether it was met.</summary>
internal static class TargetsTable
{
    private const string Daemon = "cortex-llmd (gRPC)";

    public static MarkdownTable Build(BenchResults r, BenchOptions options)
    {
        var table = new MarkdownTable("target", "goal", "measured", "met");
        ClosedLoopResult? Level(string path, int c) => r.Closed.TryGetValue(path, out var list) ? list.FirstOrDefault(x => x.Concurrency == c) : null;
        ClosedLoopResult? daemon1 = Level(Daemon, 1);
        ClosedLoopResult? direct1 = Level(HttpTargets.DirectName, 1);
        double added50 = Added(daemon1, direct1, l => l.P50);
        double added99 = Added(daemon1, direct1, l => l.P99);
        table.Row("added latency over direct at c=1", "p50 ≤ 100 µs, p99 ≤ 500 µs", $"p50 {Format.AddedMicros(added50)}, p99 {Format.AddedMicros(added99)}", Met(added50 <= 100 && added99 <= 500, added50, added99));

        double added64 = Added(Level(Daemon, 64), Level(HttpTargets.DirectName, 64), l => l.P99);
        table.Row("added p99 at c=64", "≤ 2 ms", Format.AddedMicros(added64), Met(added64 <= 2_000, added64));

        ClosedLoopResult? best = r.Closed.TryGetValue(Daemon, out var levels) ? levels.MaxBy(l => l.PerSecond) : null;
        double rate = best?.PerSecond ?? double.NaN;
        table.Row("throughput, non-streaming, ledger on", "≥ 5,000 req/s", best is null ? Format.NotAvailable : $"{Format.Rate(rate)} req/s (best level, c={best.Concurrency})", Met(rate >= 5_000, rate));

        double cpu = Level(Daemon, 64)?.GatewayCpuPerRequest ?? double.NaN;
        table.Row("CPU per request", "≤ 100 µs", $"{Format.Micros(cpu)} (daemon process, c=64)", Met(cpu <= 100, cpu));

        double ttfc = r.Streams.TryGetValue(Daemon, out var ds) && r.Streams.TryGetValue(HttpTargets.DirectName, out var dd) ? ds.FirstChunk.P50 - dd.FirstChunk.P50 : double.NaN;
        table.Row("streaming: added time to first chunk beyond the configured refusal hold-back", "≤ 200 µs", $"p50 {Format.AddedMicros(ttfc)} (hold-back configured to 0: validation.refusalWindow = 0)", Met(ttfc <= 200, ttfc));

        (double minRatio, int at) = PortkeyRatio(r, options);
        table.Row("beside Portkey in the same run", "≥ 20× lower added p99 at every concurrency", double.IsNaN(minRatio) ? Format.NotAvailable : $"lowest {Format.Ratio(minRatio)} (at c={at})", Met(minRatio >= 20, minRatio));

        double drift = r.Drift?.Drift ?? double.NaN;
        string over = r.Drift is null ? string.Empty : $" over {Format.Count(r.Drift.Requests)} requests{(r.Drift.Requests < 1_000_000 ? " (fewer than the 1M of the target)" : string.Empty)}";
        table.Row("RSS drift over 1M requests after warm-up", "within ±10%", $"{Format.Percent(drift)} largest deviation{over}", Met(drift <= 0.10, drift));
        return table;
    }

    /// <summary>Portkey's added p99 over the daemon's, per concurrency; the lowest and where. A daemon at or under direct counts as infinitely better.</summary>
    public static (double Ratio, int At) PortkeyRatio(BenchResults r, BenchOptions options)
    {
        double lowest = double.NaN;
        int at = 0;
        foreach (int c in options.Concurrency)
        {
            double ratio = Ratio(r, c);
            if (double.IsNaN(ratio))
            {
                return (double.NaN, c);
            }

            if (double.IsNaN(lowest) || ratio < lowest)
            {
                (lowest, at) = (ratio, c);
            }
        }

        return (lowest, at);
    }

    public static double Ratio(BenchResults r, int c)
    {
        double daemon = AddedP99(r, Daemon, c);
        double portkey = AddedP99(r, HttpTargets.PortkeyName, c);
        if (double.IsNaN(daemon) || double.IsNaN(portkey))
        {
            return double.NaN;
        }

        return daemon <= 0 ? (portkey > 0 ? double.PositiveInfinity : double.NaN) : portkey / daemon;
    }

    public static double AddedP99(BenchResults r, string path, int c)
    {
        ClosedLoopResult? gateway = r.Closed.TryGetValue(path, out var g) ? g.FirstOrDefault(x => x.Concurrency == c) : null;
        ClosedLoopResult? direct = r.Closed.TryGetValue(HttpTargets.DirectName, out var d) ? d.FirstOrDefault(x => x.Concurrency == c) : null;
        return Added(gateway, direct, l => l.P99);
    }

    public static double Added(ClosedLoopResult? gateway, ClosedLoopResult? direct, Func<LatencySummary, double> pick) =>
        gateway is null || direct is null ? double.NaN : pick(gateway.Latency) - pick(direct.Latency);

    private static string Met(bool met, params double[] measured) =>
        measured.Any(double.IsNaN) ? Format.NotAvailable : met ? "met" : "**not met**";
}
