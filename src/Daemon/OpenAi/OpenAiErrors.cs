using System.Buffers;
using System.Text.Json;
using Cortex.Llmd.Errors;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// The OpenAI-compatible door's one mapping from the core's errors to an HTTP status and OpenAI's error
/// object, and the writer of that object. The SDKs pick their typed exception by status alone
/// (BadRequestError, NotFoundError, RateLimitError, ...), so the status is what must be right; type and
/// code follow OpenAI's own spellings where it has one.
/// </summary>
public static class OpenAiErrors
{
    public const string InvalidRequestType = "invalid_request_error";
    public const string AuthenticationType = "authentication_error";
    public const string PermissionType = "permission_error";
    public const string ServerErrorType = "server_error";
    public const string RateLimitType = "rate_limit_error";
    public const string QuotaType = "insufficient_quota";

    /// <summary>Not an HTTP standard status: nginx's "client closed request", which is what a cancelled call is.</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// The core's failure as this door answers it. The core's message already summarises the attempt log
    /// (Routing/AttemptSummary), so it is only bounded here, never rebuilt.
    /// </summary>
    public static OpenAiError From(RouterException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string message = Quote.Message(error.Message);
        OpenAiError mapped = error.Code switch
        {
            RouterErrorCode.InvalidRequest => new(400, InvalidRequestType, "invalid_request", message, ParamOf(error.Message)),
            RouterErrorCode.UnknownName => new(404, InvalidRequestType, "model_not_found", message, "model"),
            RouterErrorCode.NotConfigured => new(503, ServerErrorType, "not_configured", message),
            RouterErrorCode.NoEligibleTarget => new(503, ServerErrorType, "no_eligible_target", message),
            RouterErrorCode.AllAttemptsFailed => new(502, ServerErrorType, "all_attempts_failed", message),
            RouterErrorCode.StreamInterrupted => new(502, ServerErrorType, "stream_interrupted", message),
            RouterErrorCode.BudgetExhausted => new(429, QuotaType, "budget_exhausted", message) { ShouldRetry = false },
            RouterErrorCode.RateLimited => new(429, RateLimitType, "rate_limit_exceeded", message),
            RouterErrorCode.PermissionDenied => new(403, PermissionType, "permission_denied", message),
            RouterErrorCode.DeadlineExceeded => new(504, ServerErrorType, "deadline_exceeded", message),
            RouterErrorCode.LedgerUnavailable => new(503, ServerErrorType, "ledger_unavailable", message),
            RouterErrorCode.Cancelled => new(ClientClosedRequest, InvalidRequestType, "cancelled", message),
            _ => new(500, ServerErrorType, null, message),
        };
        return error.RetryAfter is { } retry ? mapped with { RetryAfterSeconds = RetryAfterSeconds(retry) } : mapped;
    }

    /// <summary>A bad request naming its parameter, as the request reader and header mapping report one.</summary>
    public static OpenAiError InvalidRequest(string? param, string message) =>
        new(400, InvalidRequestType, "invalid_request", Quote.Message(message), param);

    /// <summary>401: the access rules found no acceptable credentials.</summary>
    public static OpenAiError Unauthorized(string message = "missing or invalid credentials") =>
        new(401, AuthenticationType, "invalid_api_key", Quote.Message(message));

    /// <summary>403: the caller is known but not allowed.</summary>
    public static OpenAiError Forbidden(string message) =>
        new(403, PermissionType, "permission_denied", Quote.Message(message));

    /// <summary>413: the body passed the size limit the endpoint enforces.</summary>
    public static OpenAiError BodyTooLarge(long limitBytes) =>
        new(413, InvalidRequestType, "request_too_large", $"the request body is larger than {limitBytes} bytes");

    /// <summary>404 for a path this door does not serve, in OpenAI's own wording.</summary>
    public static OpenAiError UnknownPath(string method, string path) =>
        new(404, InvalidRequestType, "unknown_url", $"Invalid URL ({Quote.Clip(method, 16)} {Quote.Clip(path)})");

    /// <summary>405 for a known path called with the wrong method.</summary>
    public static OpenAiError MethodNotAllowed(string method, string path, string allowed) =>
        new(405, InvalidRequestType, "method_not_allowed", $"{Quote.Clip(method, 16)} is not allowed on {Quote.Clip(path)} (allowed: {allowed})");

    /// <summary>415 for a body that is not application/json.</summary>
    public static OpenAiError UnsupportedMediaType(string? contentType) =>
        new(415, InvalidRequestType, "unsupported_media_type", $"the body must be application/json, not {Quote.Of(contentType)}");

    /// <summary>Whole seconds, rounded up and at least 1: Retry-After has no fractions, and 0 invites an instant retry.</summary>
    public static int RetryAfterSeconds(TimeSpan retryAfter) =>
        (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue);

    /// <summary>
    /// The parameter a core validation message starts with, in this door's names ("messages[2].role",
    /// "response_format.json_schema.schema" for the core's response_json_schema); null when it names none.
    /// </summary>
    internal static string? ParamOf(string message)
    {
        int end = message.AsSpan().IndexOfAny(' ', ':');
        string first = end < 0 ? message : message[..end];
        if (first == "response_json_schema")
        {
            return "response_format.json_schema.schema";
        }

        string[] known = ["messages", "tools", "tool_choice", "temperature", "max_tokens"];
        return known.Any(k => first == k || first.StartsWith(k + "[", StringComparison.Ordinal)) ? first : null;
    }

    /// <summary>Writes <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static void Write(IBufferWriter<byte> output, OpenAiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        using Utf8JsonWriter json = OpenAiJson.Writer(output);
        WriteObject(json, error);
    }

    /// <summary>The error object on a writer the caller owns (the SSE error event wraps it).</summary>
    internal static void WriteObject(Utf8JsonWriter json, OpenAiError error)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", error.Message);
        json.WriteString("type", error.Type);
        WriteNullable(json, "param", error.Param);
        WriteNullable(json, "code", error.Code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
