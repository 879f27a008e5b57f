using System.Text.Json;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>
/// An error reported inside a 200 answer (an "error" object in a chunk or body, as vLLM, OpenRouter and
/// others send once streaming has begun). It is classified as the HTTP status it stands for would be.
/// </summary>
internal static class OpenAiStreamError
{
    private const int MaxExcerpt = 300;

    public static ProviderException From(string provider, JsonElement error, string raw, ApiKey? key)
    {
        int status = StatusOf(error);
        ProviderErrorKind kind = HttpErrorClassifier.Classify(status, raw);
        string flat = (key?.Redact(raw) ?? raw).ReplaceLineEndings(" ").Trim();
        string excerpt = flat.Length <= MaxExcerpt ? flat : flat[..MaxExcerpt] + "...";
        // HttpStatus stays 200: that is what the wire said; the kind carries the meaning.
        return new ProviderException(kind, $"{provider}: error in the answer stream (treated as HTTP {status}): {excerpt}", 200);
    }

    /// <summary>An "event: error" SSE event, whose data may be an error object, a bare object or plain text.</summary>
    public static ProviderException FromEvent(string provider, string data, ApiKey? key)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(data);
            JsonElement root = document.RootElement;
            JsonElement error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement inner) ? inner : root;
            return From(provider, error, data, key);
        }
        catch (JsonException)
        {
            return From(provider, default, data, key);
        }
    }

    /// <summary>The status the error stands for: a numeric code when given, else one read from its type or code text.</summary>
    internal static int StatusOf(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return 500;
        }

        foreach (string field in (ReadOnlySpan<string>)["code", "status"])
        {
            if (error.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.Number
                && value.TryGetInt32(out int code) && code is >= 400 and < 600)
            {
                return code;
            }
        }

        string words = string.Join(' ', Text(error, "type"), Text(error, "code"));
        return words switch
        {
            _ when words.Contains("rate_limit", StringComparison.OrdinalIgnoreCase) || words.Contains("insufficient_quota", StringComparison.OrdinalIgnoreCase) => 429,
            _ when words.Contains("context_length", StringComparison.OrdinalIgnoreCase) => 400,
            _ when words.Contains("invalid_api_key", StringComparison.OrdinalIgnoreCase) || words.Contains("authentication", StringComparison.OrdinalIgnoreCase) => 401,
            _ when words.Contains("invalid_request", StringComparison.OrdinalIgnoreCase) => 400,
            _ => 500,
        };
    }

    private static string Text(JsonElement error, string field) =>
        error.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
