namespace Cortex.Llmd.OpenAi;

/// <summary>
/// One failure as the OpenAI-compatible door answers it: the HTTP status and the fields of OpenAI's
/// error object. <see cref="OpenAiErrors"/> builds them and writes the body.
/// </summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Type">OpenAI's error type ("invalid_request_error", "server_error", ...).</param>
/// <param name="Code">A machine-readable code, or null.</param>
/// <param name="Message">Safe to show the caller; already bounded.</param>
/// <param name="Param">The offending request parameter ("messages[2].content", "model"), or null.</param>
public sealed record OpenAiError(int Status, string Type, string? Code, string Message, string? Param = null)
{
    /// <summary>The Retry-After header's value in whole seconds (rounded up), or null when none applies.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>
    /// The x-should-retry header's value, or null to send none. Both official SDKs retry 429 and 5xx by
    /// themselves unless this header says false; an exhausted budget does not heal in seconds.
    /// </summary>
    public bool? ShouldRetry { get; init; }
}
