using System.Net;

namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// Turns a failed HTTP exchange into a classified <see cref="ProviderException"/>, so routing reacts to
/// what happened (retry, fall back, give up) rather than to a status number.
/// </summary>
public static class HttpErrorClassifier
{
    private const int MaxBodyExcerpt = 300;

    public static ProviderException FromResponse(string provider, HttpStatusCode status, string body, WaitHint? wait, ApiKey? key)
    {
        int code = (int)status;
        string excerpt = Excerpt(key?.Redact(body) ?? body);
        ProviderErrorKind kind = Classify(code, body);
        return new ProviderException(kind, $"{provider}: HTTP {code} {Describe(kind)}{(excerpt.Length > 0 ? ": " + excerpt : string.Empty)}", code, wait?.Wait)
        {
            RetryAfterSource = wait?.Source,
        };
    }

    public static ProviderErrorKind Classify(int status, string body) => status switch
    {
        401 or 403 => ProviderErrorKind.Auth,
        408 => ProviderErrorKind.Timeout,
        429 => ProviderErrorKind.RateLimited,
        413 => ProviderErrorKind.ContextTooLong,
        400 or 422 when MentionsContextLength(body) => ProviderErrorKind.ContextTooLong,
        400 or 422 when MentionsContentPolicy(body) => ProviderErrorKind.ContentPolicy,
        >= 400 and < 500 => ProviderErrorKind.BadRequest,
        // 529 is Anthropic's "overloaded"; every 5xx is worth another provider.
        _ => ProviderErrorKind.Server,
    };

    public static ProviderException FromTransport(string provider, Exception exception) => exception switch
    {
        TimeoutException => new ProviderException(ProviderErrorKind.Timeout, $"{provider}: timed out"),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } http =>
            new ProviderException(ProviderErrorKind.Connection, $"{provider}: cannot connect ({http.HttpRequestError})"),
        HttpRequestException http =>
            new ProviderException(ProviderErrorKind.Connection, $"{provider}: connection failed ({http.HttpRequestError})"),
        IOException => new ProviderException(ProviderErrorKind.Connection, $"{provider}: connection lost while reading the answer"),
        _ => new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider}: {exception.GetType().Name}"),
    };

    private static bool MentionsContextLength(string body) =>
        body.Contains("context_length", StringComparison.OrdinalIgnoreCase)
        || body.Contains("context length", StringComparison.OrdinalIgnoreCase)
        || body.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
        || body.Contains("maximum context", StringComparison.OrdinalIgnoreCase)
        || body.Contains("too many tokens", StringComparison.OrdinalIgnoreCase);

    private static bool MentionsContentPolicy(string body) =>
        body.Contains("content_policy", StringComparison.OrdinalIgnoreCase)
        || body.Contains("content policy", StringComparison.OrdinalIgnoreCase)
        || body.Contains("content_filter", StringComparison.OrdinalIgnoreCase)
        || body.Contains("safety", StringComparison.OrdinalIgnoreCase);

    private static string Describe(ProviderErrorKind kind) => kind switch
    {
        ProviderErrorKind.Auth => "(authentication failed)",
        ProviderErrorKind.RateLimited => "(rate limited)",
        ProviderErrorKind.ContextTooLong => "(context too long)",
        ProviderErrorKind.ContentPolicy => "(content policy)",
        ProviderErrorKind.BadRequest => "(bad request)",
        ProviderErrorKind.Timeout => "(timeout)",
        _ => "(server error)",
    };

    private static string Excerpt(string body)
    {
        string flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= MaxBodyExcerpt ? flat : flat[..MaxBodyExcerpt] + "...";
    }
}
