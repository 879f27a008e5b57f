using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support.Fakes;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>What one matrix call must show: its status, its attempt log (provider and outcome, in order) and who answered.</summary>
/// <param name="Status">OK for an answer; otherwise the gRPC status the caller gets.</param>
/// <param name="Attempts">The attempt log, in order.</param>
/// <param name="FirstHttpStatus">The first attempt's recorded HTTP status (0: no exchange happened).</param>
/// <param name="FirstReason">A piece of the first attempt's reason.</param>
public sealed record FaultExpectation(StatusCode Status, (string Provider, AttemptOutcome Outcome)[] Attempts, uint FirstHttpStatus, string FirstReason)
{
    public string LedgerStatus => Status == StatusCode.OK ? "OK" : Status switch
    {
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        _ => Status.ToString().ToUpperInvariant(),
    };

    /// <summary>The provider the ledger row names: the answering one, or the last that was attempted.</summary>
    public string LedgerProvider => Attempts.Last(a => a.Outcome != AttemptOutcome.Skipped).Provider;
}

/// <summary>
/// One row of the fault matrix: a fault the faulty provider repeats <see cref="Repeat"/> times (so a
/// retry meets it again), on which route, and what a unary and a streaming call must each show.
/// </summary>
public sealed record FaultMatrixCase(string Name, ProviderFault Fault, int Repeat, FaultExpectation Unary, FaultExpectation Stream)
{
    /// <summary>The route: "matrix" (faulty, then healthy), or "refused" (a closed port, then healthy).</summary>
    public string Route { get; init; } = FaultMatrixTests.MatrixRoute;

    /// <summary>The healthy target fails too (with this fault), so nothing can answer.</summary>
    public ProviderFault? HealthyFault { get; init; }

    /// <summary>The request asks for JSON matching a schema (the healthy answer is JSON; the faulty one is prose).</summary>
    public bool WantsJson { get; init; }

    public override string ToString() => Name;
}
