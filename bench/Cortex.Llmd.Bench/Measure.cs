using System.Diagnostics;
using Cortex.Llm.Client;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Bench;

internal static class Measure
{
    public sealed record Stats(TimeSpan P50, TimeSpan P99);

    public static async Task<Stats> SequentialAsync(CortexLlmClient client, CompleteRequest request, int calls)
    {
        var samples = new long[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await client.CompleteAsync(request);
            samples[i] = Stopwatch.GetTimestamp() - start;
        }

        return Summarise(samples);
    }

    public static async Task<Stats> HealthAsync(CortexLlmClient client, int calls)
    {
        var samples = new long[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await client.CheckHealthAsync();
            samples[i] = Stopwatch.GetTimestamp() - start;
        }

        return Summarise(samples);
    }

    public static async Task<double> ConcurrentAsync(CortexLlmClient client, CompleteRequest request, int calls, int concurrency)
    {
        int remaining = calls;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await client.CompleteAsync(request);
            }
        }));
        return calls / watch.Elapsed.TotalSeconds;
    }

    public static async Task<(int Chunks, TimeSpan Elapsed)> StreamAsync(CortexLlmClient client)
    {
        CompleteRequest request = Program.Request("stream");
        request.Route = "stream";
        int chunks = 0;
        var watch = Stopwatch.StartNew();
        await foreach (CompleteChunk chunk in client.StreamCompleteAsync(request))
        {
            if (chunk.KindCase == CompleteChunk.KindOneofCase.ContentDelta)
            {
                chunks++;
            }
        }

        return (chunks, watch.Elapsed);
    }

    private static Stats Summarise(long[] samples)
    {
        Array.Sort(samples);
        static TimeSpan At(long[] sorted, double q) =>
            Stopwatch.GetElapsedTime(0, sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)]);
        return new Stats(At(samples, 0.50), At(samples, 0.99));
    }
}
