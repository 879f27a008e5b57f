namespace Cortex.Llmd.Health;

public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// Everything a breaker knows, as plain data: persisted on every transition and restored at start,
/// so a provider that was open before a restart stays open until its break time ends.
/// </summary>
public sealed record BreakerSnapshot(
    BreakerState State,
    DateTimeOffset Since,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? BlockedUntil,
    IReadOnlyList<BreakerSample> Samples,
    string Reason);

/// <summary>Outcomes counted in one tenth of the sampling window, starting at <paramref name="At"/>.</summary>
public readonly record struct BreakerSample(DateTimeOffset At, int Successes, int Failures);

public static class BreakerStateNames
{
    public static string ToName(this BreakerState state) => state switch
    {
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half-open",
        _ => "closed",
    };
}
