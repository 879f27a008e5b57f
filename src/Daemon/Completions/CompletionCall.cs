using Cortex.Llmd.Callers;

namespace Cortex.Llmd.Completions;

/// <summary>
/// One completion call as its front door saw it arrive, before any protocol handling: its request id,
/// its caller and its start. Exactly one party writes its ledger row: the completion service, once
/// routing begins, or the door, when the call ended before that (the gRPC door's ledger middleware).
/// </summary>
public sealed class CompletionCall(string requestId, CallerInfo caller, long start)
{
    private int _rowClaimed;

    public string RequestId { get; } = requestId;

    public CallerInfo Caller { get; } = caller;

    /// <summary>TimeProvider timestamp of the call's arrival: latency counts the time spent in the door too.</summary>
    public long Start { get; } = start;

    /// <summary>True for the first claimant only: whoever gets it writes the row.</summary>
    public bool TryClaimRow() => Interlocked.Exchange(ref _rowClaimed, 1) == 0;
}
