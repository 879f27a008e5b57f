using Cortex.Llm.V1;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing;

/// <summary>One candidate of a plan: attempted in order when eligible, listed with its reason when not.</summary>
public sealed record PlannedCandidate(TargetRef Target, string Route, bool Eligible, string Reason)
{
    /// <summary>How this target is attempted (timeouts, retries) within its route.</summary>
    public TargetPolicy Policy { get; init; } = TargetPolicy.Cloud;

    /// <summary>The caller's own request left this target out (a forced provider or model, fallback disabled): not shown as a skip in the attempt log.</summary>
    public bool ExcludedByCaller { get; init; }
}

/// <summary>The ordered chain a request will try. Route (dry run) returns exactly this.</summary>
public sealed record RoutePlan(TaskType Task, string Route, IReadOnlyList<PlannedCandidate> Candidates)
{
    public RequestFacts Facts { get; init; } = new(false, false, false, 0, 0, 0);

    public IEnumerable<PlannedCandidate> Eligible => Candidates.Where(c => c.Eligible);

    public RoutingDecision ToDecision()
    {
        var decision = new RoutingDecision { TaskType = Task, Route = Route };
        foreach (PlannedCandidate c in Candidates)
        {
            decision.Candidates.Add(new Candidate
            {
                Provider = c.Target.Provider,
                Model = c.Target.Model,
                Route = c.Route,
                Eligible = c.Eligible,
                Reason = c.Reason,
            });
        }

        return decision;
    }
}
