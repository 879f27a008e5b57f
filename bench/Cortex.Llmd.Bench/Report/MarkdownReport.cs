using System.Globalization;
using System.Text;
using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Phases;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench.Report;

/// <summary>The report: machine header, targets, then one section per phase (bench/README.md explains each).</summary>
internal static class MarkdownReport
{
    public static string Render(BenchResults r, BenchOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine("# cortex-llmd side-by-side benchmark").AppendLine();
        text.AppendLine("Produced by `bash bench/run.sh" + (options.Quick ? " --quick" : string.Empty) + "`; what each number means: [bench/README.md](../README.md).").AppendLine();
        Header(r, options).WriteTo(text);
        text.AppendLine("## Targets").AppendLine();
        TargetsTable.Build(r, options).WriteTo(text);
        text.AppendLine("## Closed loop, non-streaming").AppendLine();
        text.AppendLine($"{Format.Count(options.Requests)} measured calls per path and concurrency (or as many as {options.MaxSeconds.ToString(CultureInfo.InvariantCulture)} s allow: see calls), after a warm-up. Latency is send to last byte. CPU per request: the gateway process (utime + stime from /proc), and the generator (this bench process); \"generator side\" is the share of one core the generator and the mock used together.").AppendLine();
        PathTables.Closed(r, options).WriteTo(text);
        text.AppendLine("Added latency over direct, same run, same concurrency:").AppendLine();
        PathTables.Added(r, options).WriteTo(text);
        text.AppendLine("## Open loop, non-streaming").AppendLine();
        text.AppendLine($"{Format.Count(options.OpenRate)} req/s for {options.OpenSeconds.ToString(CultureInfo.InvariantCulture)} s per path; latency from each call's intended send time (no coordinated omission); at most {Format.Count(OpenLoop.MaxInFlight)} in flight, calls beyond that are dropped and counted.").AppendLine();
        PathTables.Open(r).WriteTo(text);
        text.AppendLine("## Streaming, c=1").AppendLine();
        text.AppendLine($"Time to first chunk over {Format.Count(options.StreamCalls)} short streams (5 chunks) per path; chunks/s over {options.LongStreams} streams of {Format.Count(options.LongChunks)} chunks, each flushed on its own by the mock. The daemon's refusal hold-back is 0 (`validation.refusalWindow: 0`).").AppendLine();
        PathTables.Streams(r).WriteTo(text);
        text.AppendLine("## Fallback, c=1").AppendLine();
        text.AppendLine($"{Format.Count(options.FallbackCalls)} calls each (or as many as {options.MaxSeconds.ToString(CultureInfo.InvariantCulture)} s allow). The first target answers HTTP 500, the second answers. Direct: the client makes both calls itself. cortex-llmd: route with `upstream/fail-500` (retries 0) then `upstream/bench`. Portkey: an `x-portkey-config` with strategy `fallback` over the same two models.").AppendLine();
        PathTables.Fallback(r).WriteTo(text);
        text.AppendLine("## Memory and start").AppendLine();
        PathTables.Memory(r).WriteTo(text);
        Drift(r, text);
        text.AppendLine("## Ledger").AppendLine();
        Ledger(r).WriteTo(text);
        if (r.Notes.Count > 0 || r.NotAvailable.Count > 0)
        {
            text.AppendLine("## Notes").AppendLine();
            foreach (string note in r.Notes)
            {
                text.AppendLine("- " + note);
            }

            foreach (string path in r.NotAvailable.Keys.Select(k => k.Path).Distinct())
            {
                text.AppendLine($"- {path}: {string.Join("; ", r.NotAvailable.Where(p => p.Key.Path == path).Select(p => p.Value).Distinct())}");
            }
        }

        return text.ToString().TrimEnd() + "\n";
    }

    private static MarkdownTable Header(BenchResults r, BenchOptions options) => new MarkdownTable("", "")
        .Row("date", r.Machine.Date)
        .Row("CPU", r.Machine.Cpu)
        .Row("cores", r.Machine.Cores.ToString(CultureInfo.InvariantCulture))
        .Row("memory", r.Machine.Memory)
        .Row("kernel", r.Machine.Kernel)
        .Row("dotnet", r.Machine.Dotnet)
        .Row("node", r.Machine.Node)
        .Row("daemon build", r.DaemonBuild)
        .Row("ledger durability", r.Durability)
        .Row("ledger file system", r.Machine.TmpFileSystem)
        .Row("pinning", r.Pinning)
        .Row("mode", r.Mode)
        .Row("run time", (r.Elapsed.TotalMinutes).ToString("N1", CultureInfo.InvariantCulture) + " min");

    private static void Drift(BenchResults r, StringBuilder text)
    {
        if (r.Drift is not { } drift)
        {
            return;
        }

        text.AppendLine($"Daemon RSS over the long run: {Format.Count(drift.Requests)} plain calls at c={drift.Concurrency}, {Format.Rate(drift.PerSecond)} req/s, {drift.Errors} errors. Drift is measured against the first sample (after the first interval, the warm-up).").AppendLine();
        var table = new MarkdownTable("calls", "RSS", "change from first sample");
        foreach ((long calls, long rss) in drift.Samples)
        {
            table.Row(Format.Count(calls), Format.Bytes(rss), Format.SignedPercent((rss - drift.Samples[0].Rss) / (double)drift.Samples[0].Rss));
        }

        table.WriteTo(text);
        text.AppendLine($"Largest deviation {Format.Percent(drift.Drift)}, first to last {Format.SignedPercent(drift.EndChange)}.").AppendLine();
    }

    private static MarkdownTable Ledger(BenchResults r)
    {
        var table = new MarkdownTable("", "");
        if (r.Ledger is not { } ledger)
        {
            return table.Row("ledger", Format.NotAvailable);
        }

        table.Row("rows in `requests`", Format.Count(ledger.Rows))
            .Row("Router calls through the daemon's gRPC socket (answered + failed)", $"{Format.Count(ledger.Answered + ledger.Failed)} ({Format.Count(ledger.Answered)} + {Format.Count(ledger.Failed)})")
            .Row("requests to the daemon's OpenAI API", Format.Count(ledger.OpenAiRequests))
            .Row("one row per call", ledger.Error is not null ? "n/a: " + ledger.Error : ledger.Rows == ledger.Calls ? "yes" : "**no**")
            .Row("ledger bytes (file + -wal after `wal_checkpoint(TRUNCATE)`)", Format.Bytes(ledger.Bytes))
            .Row("bytes per request", double.IsNaN(ledger.BytesPerRow) ? Format.NotAvailable : ledger.BytesPerRow.ToString("N0", CultureInfo.InvariantCulture))
            .Row("daemon exit code at SIGTERM", r.DaemonExitCode?.ToString(CultureInfo.InvariantCulture) ?? "killed after 30 s");
        return table;
    }
}
