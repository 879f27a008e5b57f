namespace Cortex.Llmd.Providers;

/// <summary>How a provider failed, decided before routing reacts to it.</summary>
public enum ProviderErrorKind
{
    Server,
    Connection,
    Timeout,
    RateLimited,
    Auth,
    BadRequest,
    ContextTooLong,
    ContentPolicy,
    InvalidResponse,

    /// <summary>
    /// The exchange worked but the answer is unusable (for example no choices): an invalid answer that
    /// falls back like a rejected one, not a provider failure.
    /// </summary>
    InvalidAnswer,
}

/// <summary>A classified provider failure. Its message must never contain a key or a prompt.</summary>
public sealed class ProviderException(ProviderErrorKind kind, string message, int httpStatus = 0, TimeSpan? retryAfter = null)
    : Exception(message)
{
    public ProviderErrorKind Kind { get; } = kind;

    public int HttpStatus { get; } = httpStatus;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Which header asked for <see cref="RetryAfter"/> ("Retry-After 120s", "x-ratelimit-reset-requests 6m0s"), for the cooldown's reason.</summary>
    public string? RetryAfterSource { get; init; }

    public bool IsRetryable => Kind is ProviderErrorKind.Server or ProviderErrorKind.Connection
        or ProviderErrorKind.Timeout or ProviderErrorKind.RateLimited;
}
