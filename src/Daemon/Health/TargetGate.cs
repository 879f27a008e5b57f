using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Health;

/// <summary>
/// The gate routing asks: a target cooling down after a rate limit is blocked first (no breaker trial
/// is claimed for it), then its circuit breaker decides. Outcomes go to the breaker, waits to the cooldowns.
/// </summary>
public sealed class TargetGate(CooldownRegistry cooldowns, BreakerRegistry breakers) : ITargetGate
{
    public GateVerdict Check(TargetRef target) =>
        cooldowns.Active(target) is { } cooling ? GateVerdict.Blocked(cooling.Describe()) : breakers.Check(target);

    public GateVerdict TryEnter(TargetRef target) =>
        cooldowns.Active(target) is { } cooling ? GateVerdict.Blocked(cooling.Describe()) : breakers.TryEnter(target);

    public void Report(TargetRef target, bool success, string reason) => breakers.Report(target, success, reason);

    public void Abandon(TargetRef target) => breakers.Abandon(target);

    public void CoolDown(TargetRef target, TimeSpan wait, string source) => cooldowns.Start(target, wait, source);
}
