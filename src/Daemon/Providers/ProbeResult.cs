namespace Cortex.Llmd.Providers;

/// <summary>The outcome of one active health probe: a request that costs nothing (a model list).</summary>
public sealed record ProbeResult(bool Ok, string Detail, int HttpStatus, TimeSpan Latency)
{
    /// <summary>For kinds with nothing to probe: no verdict, so it neither opens nor closes a breaker.</summary>
    public bool Skipped { get; init; }

    public static ProbeResult NotProbed(string why) => new(true, why, 0, TimeSpan.Zero) { Skipped = true };
}
