using Cortex.Llm.V1;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>
/// What one try of one candidate came to: an answer, or a failure as a value. Polly's retry reads the
/// failure from the outcome and the engine decides fallback from it, so no exception carries control
/// flow, and whether anything reached the caller travels with the failure instead of a shared flag.
/// </summary>
internal readonly record struct TryResult(AttemptAnswer? Answer, TryFailure? Failure)
{
    public static TryResult Of(AttemptAnswer answer) => new(answer, null);

    public static TryResult Of(TryFailure failure) => new(null, failure);
}

/// <param name="Outcome">How the attempt log records it.</param>
/// <param name="Reason">Why, for the attempt log and the caller's error message.</param>
/// <param name="Error">The provider's error when the provider failed; null when its answer was rejected.</param>
/// <param name="Committed">Part of this answer already reached the caller: no retry, no fallback.</param>
internal sealed record TryFailure(AttemptOutcome Outcome, string Reason, ProviderException? Error, bool Committed)
{
    public bool MayRetry => !Committed && Error is { IsRetryable: true, Kind: not ProviderErrorKind.Timeout };
}
