namespace Cortex.Llmd.Bench.Targets;

/// <summary>
/// A path that cannot run in this report (Portkey not running, or a path whose check call failed), kept as a
/// row of every table with the reason, so the report's shape does not change.
/// </summary>
internal sealed class PlannedTarget(string name, string reason) : ITarget
{
    public string Name => name;

    public int? GatewayPid => null;

    public string? Unsupported(Workload workload) => reason;

    public ValueTask<string> SampleAsync(CancellationToken cancellationToken) => throw new NotSupportedException(reason);

    public ValueTask<bool> CompleteAsync(Workload workload, CancellationToken cancellationToken) => throw new NotSupportedException(reason);

    public ValueTask<StreamOutcome> StreamAsync(Workload workload, CancellationToken cancellationToken) => throw new NotSupportedException(reason);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
