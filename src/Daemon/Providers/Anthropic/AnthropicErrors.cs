using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>
/// Classifies the errors Anthropic reports inside a stream (an "error" event after a 200 response),
/// by their error type, the way the same error would be classified as an HTTP status.
/// </summary>
internal static class AnthropicErrors
{
    private const int MaxMessage = 300;

    public static ProviderErrorKind Classify(string? type, string message) => type switch
    {
        "overloaded_error" or "api_error" => ProviderErrorKind.Server,
        "rate_limit_error" => ProviderErrorKind.RateLimited,
        // A billing problem makes the account unusable, like a bad key: try another provider.
        "authentication_error" or "permission_error" or "billing_error" => ProviderErrorKind.Auth,
        "timeout_error" => ProviderErrorKind.Timeout,
        "request_too_large" => ProviderErrorKind.ContextTooLong,
        // The shared classifier knows the context-length and content-policy wordings.
        "invalid_request_error" or "not_found_error" => HttpErrorClassifier.Classify(400, message),
        _ => ProviderErrorKind.Server,
    };

    public static ProviderException FromStreamError(string provider, AnthropicWireError? error, ApiKey key)
    {
        string type = error?.Type ?? "unknown_error";
        string message = key.Redact(error?.Message ?? string.Empty).ReplaceLineEndings(" ").Trim();
        if (message.Length > MaxMessage)
        {
            message = message[..MaxMessage] + "...";
        }

        ProviderErrorKind kind = Classify(type, message);
        return new ProviderException(kind, $"{provider}: stream error {type}{(message.Length > 0 ? ": " + message : string.Empty)}");
    }
}
