using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Report;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench.Phases;

/// <summary>Streaming at c=1 (time to first chunk, long-stream rate) and the fallback path beside the plain one.</summary>
internal static class StreamPhases
{
    public const string StreamPhase = "stream";
    public const string FallbackPhase = "fallback";

    public static async Task StreamAsync(BenchContext context)
    {
        foreach (ITarget target in context.Runnable(Workload.ShortStream, StreamPhase))
        {
            int calls = context.Options.StreamCalls;
            long[] firstChunk = new long[calls];
            int errors = 0;
            int kept = 0;
            for (int i = 0; i < calls + calls / 10; i++)
            {
                long sent = System.Diagnostics.Stopwatch.GetTimestamp();
                StreamOutcome outcome = await target.StreamAsync(Workload.ShortStream, context.Cancellation);
                // The first tenth warms this path's streaming code up and is not kept.
                if (i >= calls / 10 && outcome.Ok)
                {
                    firstChunk[kept++] = outcome.FirstChunk - sent;
                }
                else if (i >= calls / 10)
                {
                    errors++;
                }
            }

            (double perSecond, int received, int longErrors) = await LongStreamsAsync(target, context);
            context.Results.Streams[target.Name] = new StreamResult(
                LatencySummary.Of(firstChunk, kept), perSecond, received, Conversation.LongChunks * context.Options.LongStreams, errors + longErrors);
            BenchContext.Progress($"stream {target.Name}: TTFC p50 {context.Results.Streams[target.Name].FirstChunk.P50:N0} µs, {perSecond:N0} chunks/s");
        }
    }

    public static async Task FallbackAsync(BenchContext context)
    {
        foreach (ITarget target in context.Runnable(Workload.Fallback, FallbackPhase))
        {
            int calls = context.Options.FallbackCalls;
            await ClosedLoop.RunAsync(ct => target.CompleteAsync(Workload.Fallback, ct), 1, Math.Max(100, calls / 10), () => context.StartMeter(target), context.Cancellation, LoadPhases.MaxTime(context));
            ClosedLoopResult plain = await ClosedLoop.RunAsync(ct => target.CompleteAsync(Workload.Plain, ct), 1, calls, () => context.StartMeter(target), context.Cancellation, LoadPhases.MaxTime(context));
            ClosedLoopResult fallback = await ClosedLoop.RunAsync(ct => target.CompleteAsync(Workload.Fallback, ct), 1, calls, () => context.StartMeter(target), context.Cancellation, LoadPhases.MaxTime(context));
            context.Results.FallbackPlain[target.Name] = plain.Latency;
            context.Results.Fallback[target.Name] = fallback.Latency;
            if (fallback.Errors > 0)
            {
                context.Results.Notes.Add($"{target.Name}: {fallback.Errors} of {fallback.Latency.Count} fallback calls failed.");
            }

            BenchContext.Progress($"fallback {target.Name}: p50 {fallback.Latency.P50:N0} µs (plain {plain.Latency.P50:N0} µs), {fallback.Errors} errors");
        }
    }

    /// <summary>Upstream chunks per second over a few long streams, one at a time.</summary>
    private static async Task<(double PerSecond, int Received, int Errors)> LongStreamsAsync(ITarget target, BenchContext context)
    {
        await target.StreamAsync(Workload.LongStream, context.Cancellation);
        double seconds = 0;
        int received = 0;
        int errors = 0;
        for (int i = 0; i < context.Options.LongStreams; i++)
        {
            long sent = System.Diagnostics.Stopwatch.GetTimestamp();
            StreamOutcome outcome = await target.StreamAsync(Workload.LongStream, context.Cancellation);
            seconds += System.Diagnostics.Stopwatch.GetElapsedTime(sent, outcome.Ok ? outcome.End : System.Diagnostics.Stopwatch.GetTimestamp()).TotalSeconds;
            received += outcome.Chunks;
            errors += outcome.Ok ? 0 : 1;
        }

        return (Conversation.LongChunks * context.Options.LongStreams / seconds, received, errors);
    }
}
