using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Whether a target may be attempted right now. The circuit breakers answer this; routing only asks,
/// so the dry run and real calls see the same verdict.
/// </summary>
public interface ITargetGate
{
    /// <summary>Null when the target may be attempted, else why not (e.g. "circuit open until 12:00:05Z"). Claims nothing.</summary>
    string? Blocked(TargetRef target);

    /// <summary>Like <see cref="Blocked"/>, but a half-open breaker's single trial is claimed by this call.</summary>
    string? TryEnter(TargetRef target) => Blocked(target);

    /// <summary>Feeds an attempt's outcome to the target's breaker. Callers' cancellations are never reported.</summary>
    void Report(TargetRef target, bool success, string reason)
    {
    }

    /// <summary>An attempt ended without a verdict (its caller left): a claimed trial is given back.</summary>
    void Abandon(TargetRef target)
    {
    }
}

/// <summary>The gate until breakers exist: nothing is blocked.</summary>
public sealed class OpenGate : ITargetGate
{
    public string? Blocked(TargetRef target) => null;
}
