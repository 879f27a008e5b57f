using Cortex.Llm.V1;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing;

/// <summary>
/// A target the request passed over without calling it appears in the attempt log as outcome SKIPPED,
/// with zero latency, no HTTP status, and the reason. Skips are not attempts: counts of attempts (the
/// ledger's attempts and fallbacks columns, stats, "all N attempts failed") leave them out.
/// </summary>
public static class SkippedAttempts
{
    public static Attempt Of(TargetRef target, string reason) => new()
    {
        Provider = target.Provider,
        Model = target.Model,
        Outcome = AttemptOutcome.Skipped,
        Reason = Errors.Quote.Clip(reason, Errors.Quote.MaxChars * 2),
    };

    /// <summary>How many entries of an attempt log were real attempts (a provider was called).</summary>
    public static int CountMade(IEnumerable<Attempt> attempts) => attempts.Count(a => a.Outcome != AttemptOutcome.Skipped);

    /// <summary>The last entry that was a real attempt, or null when the log has none.</summary>
    public static Attempt? LastMade(IReadOnlyList<Attempt> attempts)
    {
        for (int i = attempts.Count - 1; i >= 0; i--)
        {
            if (attempts[i].Outcome != AttemptOutcome.Skipped)
            {
                return attempts[i];
            }
        }

        return null;
    }
}
