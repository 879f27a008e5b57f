using System.Globalization;
using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Phases;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench.Report;

/// <summary>The side-by-side tables: one row per path (and concurrency), n/a with the reason where a path could not run.</summary>
internal static class PathTables
{
    public static MarkdownTable Closed(BenchResults r, BenchOptions options)
    {
        var table = new MarkdownTable("path", "c", "calls", "p50", "p99", "p99.9", "req/s", "gateway CPU/req", "generator CPU/req", "generator side", "errors");
        foreach (int c in options.Concurrency)
        {
            foreach (string path in r.Paths)
            {
                ClosedLoopResult? x = r.Closed.TryGetValue(path, out var list) ? list.FirstOrDefault(l => l.Concurrency == c) : null;
                if (x is null)
                {
                    table.Row(path, C(c), Why(r, path, LoadPhases.ClosedPhase), "", "", "", "", "", "", "", "");
                    continue;
                }

                table.Row(path, C(c), Format.Count(x.Latency.Count), Format.Micros(x.Latency.P50), Format.Micros(x.Latency.P99), Format.Micros(x.Latency.P999), Format.Rate(x.PerSecond),
                    Format.Micros(x.GatewayCpuPerRequest), Format.Micros(x.GeneratorCpuPerRequest), Format.Percent(x.Cpu.GeneratorSideCoreShare), Format.Count(x.Errors));
            }
        }

        return table;
    }

    public static MarkdownTable Added(BenchResults r, BenchOptions options)
    {
        string[] gateways = [.. r.Paths.Where(p => p != HttpTargets.DirectName)];
        List<string> headers = ["c", .. gateways.Select(g => g + ": added p50 / p99"), "Portkey ÷ cortex-llmd, added p99"];
        var table = new MarkdownTable([.. headers]);
        foreach (int c in options.Concurrency)
        {
            var cells = new List<string> { C(c) };
            foreach (string path in gateways)
            {
                ClosedLoopResult? gateway = r.Closed.TryGetValue(path, out var g) ? g.FirstOrDefault(x => x.Concurrency == c) : null;
                ClosedLoopResult? direct = r.Closed.TryGetValue(HttpTargets.DirectName, out var d) ? d.FirstOrDefault(x => x.Concurrency == c) : null;
                cells.Add(gateway is null ? Why(r, path, LoadPhases.ClosedPhase)
                    : $"{Format.AddedMicros(TargetsTable.Added(gateway, direct, l => l.P50))} / {Format.AddedMicros(TargetsTable.Added(gateway, direct, l => l.P99))}");
            }

            cells.Add(Format.Ratio(TargetsTable.Ratio(r, c)));
            table.Row([.. cells]);
        }

        return table;
    }

    public static MarkdownTable Open(BenchResults r)
    {
        var table = new MarkdownTable("path", "rate", "achieved", "p50", "p99", "p99.9", "max", "dropped", "errors", "gateway CPU/req", "scheduler lag p99");
        foreach (string path in r.Paths)
        {
            if (!r.Open.TryGetValue(path, out OpenLoopResult? x))
            {
                table.Row(path, Why(r, path, LoadPhases.OpenPhase), "", "", "", "", "", "", "", "", "");
                continue;
            }

            table.Row(path, Format.Rate(x.Rate), Format.Rate(x.Achieved), Format.Micros(x.Latency.P50), Format.Micros(x.Latency.P99), Format.Micros(x.Latency.P999),
                Format.Micros(x.Latency.Max), Format.Count(x.Dropped), Format.Count(x.Errors), Format.Micros(x.GatewayCpuPerRequest), Format.Micros(x.SchedulerLagP99));
        }

        return table;
    }

    public static MarkdownTable Streams(BenchResults r)
    {
        var table = new MarkdownTable("path", "first chunk p50", "first chunk p99", "added p50 / p99", "long stream chunks/s", "chunks received / sent", "errors");
        r.Streams.TryGetValue(HttpTargets.DirectName, out StreamResult? direct);
        foreach (string path in r.Paths)
        {
            if (!r.Streams.TryGetValue(path, out StreamResult? x))
            {
                table.Row(path, Why(r, path, StreamPhases.StreamPhase), "", "", "", "", "");
                continue;
            }

            string added = path == HttpTargets.DirectName || direct is null ? "" :
                $"{Format.AddedMicros(x.FirstChunk.P50 - direct.FirstChunk.P50)} / {Format.AddedMicros(x.FirstChunk.P99 - direct.FirstChunk.P99)}";
            table.Row(path, Format.Micros(x.FirstChunk.P50), Format.Micros(x.FirstChunk.P99), added, Format.Rate(x.ChunksPerSecond),
                $"{Format.Count(x.ChunksReceived)} / {Format.Count(x.ChunksSent)}", Format.Count(x.Errors));
        }

        return table;
    }

    public static MarkdownTable Fallback(BenchResults r)
    {
        var table = new MarkdownTable("path", "calls", "plain p50", "plain p99", "fallback p50", "fallback p99", "fallback p99.9", "fallback − plain, p50");
        foreach (string path in r.Paths)
        {
            if (!r.Fallback.TryGetValue(path, out LatencySummary? x) || !r.FallbackPlain.TryGetValue(path, out LatencySummary? plain))
            {
                table.Row(path, Why(r, path, StreamPhases.FallbackPhase), "", "", "", "", "");
                continue;
            }

            table.Row(path, Format.Count(x.Count), Format.Micros(plain.P50), Format.Micros(plain.P99), Format.Micros(x.P50), Format.Micros(x.P99), Format.Micros(x.P999), Format.AddedMicros(x.P50 - plain.P50));
        }

        return table;
    }

    public static MarkdownTable Memory(BenchResults r)
    {
        string daemon = "cortex-llmd (gRPC)";
        var table = new MarkdownTable("", "cortex-llmd", "Portkey");
        r.Memory.TryGetValue(daemon, out MemoryResult? d);
        r.Memory.TryGetValue(HttpTargets.PortkeyName, out MemoryResult? p);
        table.Row("RSS idle (3 s after start)", Bytes(d?.IdleRss), Bytes(p?.IdleRss));
        table.Row("peak RSS under load (VmHWM, whole run)", Bytes(d?.PeakHwm), Bytes(p?.PeakHwm));
        table.Row("RSS after load (10 s quiet)", Bytes(d?.AfterRss), Bytes(p?.AfterRss));
        table.Row("exec to serving (first Health/Check answered)", Format.Ms(r.ExecToServing), "");
        string ready = r.ExecToReady.Count == 0 ? r.ExecToReadyNote ?? Format.NotAvailable
            : $"{Format.Ms(r.ExecToReady.Order().ElementAt(r.ExecToReady.Count / 2))} median of {string.Join(", ", r.ExecToReady.Select(Format.Ms))} (as PID 1 of a pid namespace, unshare included)";
        table.Row("exec to READY=1 (sd_notify)", ready, "");
        return table;
    }

    private static string Bytes(long? bytes) => bytes is { } b and > 0 ? Format.Bytes(b) : Format.NotAvailable;

    private static string C(int c) => c.ToString(CultureInfo.InvariantCulture);

    private static string Why(BenchResults r, string path, string phase) => r.Why(path, phase) ?? Format.NotAvailable;
}
