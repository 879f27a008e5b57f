namespace Cortex.Llmd.Bench.Targets;

/// <summary>
/// A path that does not exist yet, kept as a row of every table so the report's shape does not change when
/// it arrives. The daemon's OpenAI-compatible endpoint (issue #12) fills this slot: once it serves, replace
/// this with an <see cref="HttpTarget"/> on its base URL (see BenchRunner.AddTargets).
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
