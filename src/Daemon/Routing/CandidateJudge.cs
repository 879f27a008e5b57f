using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Decides whether an eligible candidate can serve this request, and records why not: no key, circuit
/// open, or a capability the request needs and the model lacks. A skip is visible in Route and in logs.
/// </summary>
internal sealed class CandidateJudge(IRoutingModel model, ITargetGate gate, RequestFacts facts)
{
    public PlannedCandidate Judge(PlannedCandidate candidate)
    {
        if (!candidate.Eligible)
        {
            return candidate;
        }

        string? skip = SkipReason(candidate);
        return skip is null ? candidate : candidate with { Eligible = false, Reason = "skipped: " + skip };
    }

    private string? SkipReason(PlannedCandidate candidate)
    {
        if (model.Providers[candidate.Target.Provider].Describe().Unavailable is { } unavailable)
        {
            return unavailable;
        }

        if (gate.Check(candidate.Target) is { Passes: false } blocked)
        {
            return blocked.Reason;
        }

        ModelCapabilities can = model.Options.Providers[candidate.Target.Provider].CapabilitiesOf(candidate.Target.Model);
        if (facts.NeedsTools && !can.Tools)
        {
            return "lacks tools";
        }

        if (facts.NeedsJsonSchema && !can.JsonSchema)
        {
            return "lacks JSON Schema output";
        }

        if (facts.Streaming && !can.Streaming)
        {
            return "lacks streaming";
        }

        return facts.RequiredContext > can.ContextWindow
            ? $"context too small (needs about {facts.RequiredContext} tokens, window {can.ContextWindow})"
            : null;
    }
}
