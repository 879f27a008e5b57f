using System.Diagnostics;

namespace Cortex.Llmd.Bench.Load;

/// <summary>
/// One closed-loop run: <c>Concurrency</c> callers, each sending its next call when the last one answered,
/// until the calls are done or the time is up (a slow gateway then gets fewer calls; the count is reported).
/// </summary>
internal sealed record ClosedLoopResult(int Concurrency, LatencySummary Latency, double PerSecond, int Errors, CpuUse Cpu)
{
    public double GatewayCpuPerRequest => Cpu.GatewayMicros / Latency.Count;

    public double GeneratorCpuPerRequest => Cpu.GeneratorMicros / Latency.Count;
}

internal static class ClosedLoop
{
    public static async Task<ClosedLoopResult> RunAsync(
        Func<CancellationToken, ValueTask<bool>> call, int concurrency, int requests, Func<CpuMeter> startMeter, CancellationToken cancellationToken, TimeSpan? maxDuration = null)
    {
        long[] samples = new long[requests];
        int next = -1;
        int errors = 0;
        CpuMeter meter = startMeter();
        long start = Stopwatch.GetTimestamp();
        long deadline = maxDuration is { } max ? start + (long)(max.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(
                async () =>
                {
                    int i;
                    while (Stopwatch.GetTimestamp() < deadline && (i = Interlocked.Increment(ref next)) < requests)
                    {
                        long sent = Stopwatch.GetTimestamp();
                        bool ok;
                        try
                        {
                            ok = await call(cancellationToken);
                        }
#pragma warning disable CA1031 // a failed call is counted, whatever it threw; the run goes on
                        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
                        {
                            ok = false;
                        }

                        samples[i] = Stopwatch.GetTimestamp() - sent;
                        if (!ok)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        CpuUse cpu = meter.Stop();
        // Every index handed out was filled: a worker checks the deadline before it takes one.
        int done = Math.Min(Volatile.Read(ref next) + 1, requests);
        return new ClosedLoopResult(concurrency, LatencySummary.Of(samples, done), done / seconds, errors, cpu);
    }
}
