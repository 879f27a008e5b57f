using Cortex.Llm.V1;

namespace Cortex.Llmd.Errors;

/// <summary>
/// What went wrong, in the core's own terms. Routing, budgets and the ledger speak only this; each front
/// door (gRPC today, the OpenAI-compatible HTTP endpoint later) maps it to its protocol's status in one place.
/// </summary>
public enum RouterErrorCode
{
    /// <summary>A field of the request is wrong (empty messages, bad temperature, a schema that does not compile).</summary>
    InvalidRequest,

    /// <summary>The request names a route, task, provider or model that is not configured.</summary>
    UnknownName,

    /// <summary>The configuration has no way to serve this request (no route for its task).</summary>
    NotConfigured,

    /// <summary>Every candidate was skipped before any attempt (breakers, capabilities, keys, forced narrowing).</summary>
    NoEligibleTarget,

    /// <summary>Every attempt failed or was rejected.</summary>
    AllAttemptsFailed,

    /// <summary>A provider failed after part of the answer had reached the caller: no fallback is possible.</summary>
    StreamInterrupted,

    /// <summary>A budget is exhausted and the request may not be downgraded.</summary>
    BudgetExhausted,

    /// <summary>The caller's deadline passed.</summary>
    DeadlineExceeded,

    /// <summary>The caller went away.</summary>
    Cancelled,

    /// <summary>The ledger cannot be read or written (statistics, resets).</summary>
    LedgerUnavailable,

    /// <summary>The caller's identity does not allow the call (an admin call, another caller's activity).</summary>
    PermissionDenied,

    /// <summary>The caller made calls faster than its rate limit; <see cref="RouterException.RetryAfter"/> says when to try again.</summary>
    RateLimited,
}

/// <summary>A core failure: its code, a message safe to show the caller, and the attempts made, if any.</summary>
public sealed class RouterException : Exception
{
    public RouterException(RouterErrorCode code, string message, AttemptLog? attempts = null)
        : base(message)
    {
        Code = code;
        Attempts = attempts;
    }

    public RouterException()
        : this(RouterErrorCode.InvalidRequest, string.Empty)
    {
    }

    public RouterException(string message)
        : this(RouterErrorCode.InvalidRequest, message)
    {
    }

    public RouterException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = RouterErrorCode.InvalidRequest;
    }

    public RouterErrorCode Code { get; }

    /// <summary>Every attempt of the failed request, in order; null when none was made.</summary>
    public AttemptLog? Attempts { get; }

    /// <summary>When the caller may try again (rate limits); null when retrying sooner would not help or not matter.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>
/// The ledger's and the events' status words. They are the canonical status names (shared by gRPC and
/// Google's APIs) so stats read the same whichever door a request came through.
/// </summary>
public static class RouterErrorStatus
{
    public static string Name(RouterErrorCode code) => code switch
    {
        RouterErrorCode.InvalidRequest or RouterErrorCode.UnknownName => "INVALID_ARGUMENT",
        RouterErrorCode.NotConfigured or RouterErrorCode.NoEligibleTarget => "FAILED_PRECONDITION",
        RouterErrorCode.AllAttemptsFailed or RouterErrorCode.StreamInterrupted or RouterErrorCode.LedgerUnavailable => "UNAVAILABLE",
        RouterErrorCode.BudgetExhausted or RouterErrorCode.RateLimited => "RESOURCE_EXHAUSTED",
        RouterErrorCode.PermissionDenied => "PERMISSION_DENIED",
        RouterErrorCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        RouterErrorCode.Cancelled => "CANCELLED",
        _ => "UNKNOWN",
    };
}
