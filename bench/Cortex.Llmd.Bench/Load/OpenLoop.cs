using System.Diagnostics;

namespace Cortex.Llmd.Bench.Load;

/// <summary>
/// One open-loop run: calls are due at a fixed rate whatever the answers do, and each latency is measured
/// from the call's intended send time, so a stall delays every call due during it in the numbers too (no
/// coordinated omission). Calls beyond <c>MaxInFlight</c> are not sent and counted as dropped.
/// </summary>
internal sealed record OpenLoopResult(int Rate, double Seconds, LatencySummary Latency, double Achieved, int Errors, int Dropped, double SchedulerLagP99, CpuUse Cpu)
{
    public double GatewayCpuPerRequest => Cpu.GatewayMicros / Math.Max(1, Latency.Count);
}

internal static class OpenLoop
{
    public const int MaxInFlight = 4096;

    public static async Task<OpenLoopResult> RunAsync(
        Func<CancellationToken, ValueTask<bool>> call, int rate, double seconds, Func<CpuMeter> startMeter, CancellationToken cancellationToken)
    {
        int total = (int)(rate * seconds);
        var state = new RunState(total);
        CpuMeter meter = startMeter();
        long start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        var dispatcher = new Thread(() => Dispatch(call, rate, start, state, cancellationToken)) { IsBackground = true, Name = "open-loop" };
        dispatcher.Start();
        await state.AllDone.Task.WaitAsync(cancellationToken);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        CpuUse cpu = meter.Stop();
        int answered = total - state.Dropped;
        long[] answeredSamples = state.Latencies.Where(t => t >= 0).ToArray();
        return new OpenLoopResult(
            rate, seconds, LatencySummary.Of(answeredSamples, answeredSamples.Length), answered / elapsed, state.Errors, state.Dropped,
            LatencySummary.Of(state.Lags, total).P99, cpu);
    }

    private static void Dispatch(Func<CancellationToken, ValueTask<bool>> call, int rate, long start, RunState state, CancellationToken cancellationToken)
    {
        double ticksPerCall = (double)Stopwatch.Frequency / rate;
        double nanosPerTick = 1e9 / Stopwatch.Frequency;
        for (int i = 0; i < state.Total; i++)
        {
            long due = start + (long)(i * ticksPerCall);
            PreciseSleep.For((long)((due - Stopwatch.GetTimestamp()) * nanosPerTick));
            state.Lags[i] = Math.Max(0, Stopwatch.GetTimestamp() - due);
            if (Volatile.Read(ref state.InFlight) >= MaxInFlight)
            {
                state.Latencies[i] = -1;
                Interlocked.Increment(ref state.Dropped);
                state.Finish();
                continue;
            }

            Interlocked.Increment(ref state.InFlight);
            _ = SendAsync(call, i, due, state, cancellationToken);
        }
    }

    private static async Task SendAsync(Func<CancellationToken, ValueTask<bool>> call, int i, long due, RunState state, CancellationToken cancellationToken)
    {
        bool ok;
        try
        {
            ok = await call(cancellationToken);
        }
#pragma warning disable CA1031 // a failed call is counted, whatever it threw; the run goes on
        catch (Exception)
#pragma warning restore CA1031
        {
            ok = false;
        }

        state.Latencies[i] = Stopwatch.GetTimestamp() - due;
        if (!ok)
        {
            Interlocked.Increment(ref state.Errors);
        }

        Interlocked.Decrement(ref state.InFlight);
        state.Finish();
    }

    private sealed class RunState(int total)
    {
#pragma warning disable CA1051, SA1401 // counters updated with Interlocked need to be fields
        public int InFlight;
        public int Errors;
        public int Dropped;
        public int Finished;
#pragma warning restore CA1051, SA1401

        public int Total { get; } = total;

        public long[] Latencies { get; } = new long[total];

        public long[] Lags { get; } = new long[total];

        public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish()
        {
            if (Interlocked.Increment(ref Finished) == Total)
            {
                AllDone.TrySetResult();
            }
        }
    }
}
