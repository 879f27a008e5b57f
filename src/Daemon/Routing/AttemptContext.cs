using Cortex.Llm.V1;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>Everything one candidate's tries share within one request.</summary>
internal sealed record AttemptContext(
    CompleteRequest Request,
    RoutePlan Plan,
    PlannedCandidate Candidate,
    IProvider Provider,
    ProviderCall Call,
    ValidationOptions Validation,
    IChunkSink? Sink,
    CompletionTrace Trace,
    TargetState State)
{
    /// <summary>Told each attempt's usage as soon as it is known; null when nothing listens.</summary>
    public IUsageMeter? Meter { get; init; }
}
