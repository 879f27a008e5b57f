using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Whether a target may be attempted right now. The circuit breakers answer this; routing only asks,
/// so the dry run and real calls see the same verdict.
/// </summary>
public interface ITargetGate
{
    /// <summary>May the target be attempted now? Claims nothing.</summary>
    GateVerdict Check(TargetRef target);

    /// <summary>Like <see cref="Check"/>, but a half-open breaker's single trial is claimed by this call.</summary>
    GateVerdict TryEnter(TargetRef target);

    /// <summary>Feeds an attempt's outcome to the target's breaker. Callers' cancellations are never reported.</summary>
    void Report(TargetRef target, bool success, string reason);

    /// <summary>An attempt ended without a verdict (its caller left): a claimed trial is given back.</summary>
    void Abandon(TargetRef target);

    /// <summary>
    /// The provider asked us to wait (a 429 with Retry-After or a rate-limit reset): every request skips the
    /// target until then. Gates without rate-limit memory ignore it.
    /// </summary>
    void CoolDown(TargetRef target, TimeSpan wait, string source)
    {
    }
}

/// <summary>A gate's answer: pass, or blocked with the reason shown in plans and attempt logs.</summary>
public readonly record struct GateVerdict
{
    private GateVerdict(bool passes, string reason)
    {
        Passes = passes;
        Reason = reason;
    }

    public static GateVerdict Pass { get; } = new(true, string.Empty);

    public bool Passes { get; }

    /// <summary>Why the target is blocked (e.g. "circuit open until 12:00:05Z"); empty when it passes.</summary>
    public string Reason { get; }

    public static GateVerdict Blocked(string reason) => new(false, reason);
}
