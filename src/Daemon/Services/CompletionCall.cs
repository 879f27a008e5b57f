using Cortex.Llmd.Callers;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Services;

/// <summary>
/// One Complete or StreamComplete call as the door saw it arrive, before any gRPC handling: its request
/// id, its caller and its start. Exactly one party writes its ledger row: the runner, once routing
/// begins, or <see cref="CompletionLedgerMiddleware"/> when the call ended before that.
/// </summary>
public sealed class CompletionCall(string requestId, CallerInfo caller, long start)
{
    private int _rowClaimed;

    public string RequestId { get; } = requestId;

    public CallerInfo Caller { get; } = caller;

    /// <summary>TimeProvider timestamp of the call's arrival: latency counts the time spent in the gRPC layer too.</summary>
    public long Start { get; } = start;

    /// <summary>True for the first claimant only: whoever gets it writes the row.</summary>
    public bool TryClaimRow() => Interlocked.Exchange(ref _rowClaimed, 1) == 0;

    public static CompletionCall? Of(HttpContext context) => context.Features.Get<CompletionCall>();
}
