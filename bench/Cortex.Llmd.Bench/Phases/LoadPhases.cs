using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench.Phases;

/// <summary>The closed-loop and open-loop runs of the plain (non-streaming) call, every path with the same load.</summary>
internal static class LoadPhases
{
    public const string ClosedPhase = "closed";
    public const string OpenPhase = "open";

    /// <summary>Warms every path up (JIT, connection pools), then each concurrency level runs every path in turn.</summary>
    public static async Task ClosedAsync(BenchContext context)
    {
        List<ITarget> targets = [.. context.Runnable(Workload.Plain, ClosedPhase)];
        int warmUp = Math.Max(500, context.Options.Requests / 5);
        foreach (ITarget target in targets)
        {
            BenchContext.Progress($"warm-up {target.Name}: {warmUp} calls at c=16");
            await ClosedLoop.RunAsync(ct => target.CompleteAsync(Workload.Plain, ct), 16, warmUp, () => context.StartMeter(target), context.Cancellation, MaxTime(context));
            context.Results.Closed[target.Name] = [];
        }

        foreach (int concurrency in context.Options.Concurrency)
        {
            foreach (ITarget target in targets)
            {
                ClosedLoopResult result = await ClosedLoop.RunAsync(
                    ct => target.CompleteAsync(Workload.Plain, ct), concurrency, context.Options.Requests, () => context.StartMeter(target), context.Cancellation, MaxTime(context));
                context.Results.Closed[target.Name].Add(result);
                BenchContext.Progress($"closed c={concurrency} {target.Name}: p50 {result.Latency.P50:N0} µs, p99 {result.Latency.P99:N0} µs, {result.PerSecond:N0}/s, {result.Errors} errors");
            }
        }
    }

    public static TimeSpan MaxTime(BenchContext context) => TimeSpan.FromSeconds(context.Options.MaxSeconds);

    public static async Task OpenAsync(BenchContext context)
    {
        foreach (ITarget target in context.Runnable(Workload.Plain, OpenPhase))
        {
            OpenLoopResult result = await OpenLoop.RunAsync(
                ct => target.CompleteAsync(Workload.Plain, ct), context.Options.OpenRate, context.Options.OpenSeconds, () => context.StartMeter(target), context.Cancellation);
            context.Results.Open[target.Name] = result;
            BenchContext.Progress($"open {result.Rate}/s {target.Name}: p50 {result.Latency.P50:N0} µs, p99 {result.Latency.P99:N0} µs, {result.Dropped} dropped, {result.Errors} errors");
            // Let a gateway that fell behind drain before the next path starts.
            await Task.Delay(TimeSpan.FromSeconds(1), context.Cancellation);
        }
    }
}
