using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Processes;
using Cortex.Llmd.Bench.Report;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench.Phases;

/// <summary>What every phase shares: options, the processes under test, the paths and the results so far.</summary>
internal sealed class BenchContext
{
    public required BenchOptions Options { get; init; }

    public required Pinning Pinning { get; init; }

    public required string WorkDir { get; init; }

    public required ChildProcess Mock { get; init; }

    public required BenchResults Results { get; init; }

    public required CancellationToken Cancellation { get; init; }

    /// <summary>The paths in report order, the n/a slot included.</summary>
    public List<ITarget> Targets { get; } = [];

    public CpuMeter StartMeter(ITarget target) => CpuMeter.Start(target.GatewayPid, Mock.Pid);

    /// <summary>Targets that can run <paramref name="workload"/>; the others get their reason recorded under <paramref name="phase"/>.</summary>
    public IEnumerable<ITarget> Runnable(Workload workload, string phase)
    {
        foreach (ITarget target in Targets)
        {
            if (target.Unsupported(workload) is { } why)
            {
                Results.NotAvailable.TryAdd((target.Name, phase), why);
                continue;
            }

            yield return target;
        }
    }

    /// <summary>A progress line on stderr, so stdout stays the report.</summary>
    public static void Progress(string line) => Console.Error.WriteLine($"[bench {DateTime.UtcNow:HH:mm:ss}] {line}");
}
