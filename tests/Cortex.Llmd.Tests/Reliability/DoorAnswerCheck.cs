using System.Text;
using System.Text.Json;
using Cortex.Llmd.Errors;
using Cortex.Llmd.OpenAi;
using Cortex.Llmd.Tests.OpenAi;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// What every answer of the OpenAI-compatible door must be, whatever was sent: a status the door
/// documents (never 500), OpenAI's error object with a bounded message for every error, a whole JSON
/// answer or an event stream that ends in [DONE] or an error event for a 200, and bounded headers.
/// </summary>
internal static class DoorAnswerCheck
{
    /// <summary>The statuses docs/openai-api.md lists for a caller the kernel identifies, within its rate limit.</summary>
    public static readonly int[] Documented = [200, 400, 404, 405, 413, 502, 503, 504];

    /// <summary>
    /// Kestrel's own refusals of what is not HTTP it accepts (a NUL in the path, a request line or header
    /// block over its limits, a bad chunk, a body too slow to wait for): a bare status, no body, no type.
    /// </summary>
    public static readonly int[] KestrelRefusals = [400, 408, 414, 431];

    /// <summary>Far above any honest error (a message is at most 4,000 bytes, JSON escaping can double it): an echo of the request would pass it.</summary>
    public const int MaxErrorBodyBytes = 16 * 1024;

    public const int MaxHeaderBytes = 4 * 1024;

    /// <summary>Null when the answer is sound, else what is wrong with it.</summary>
    public static string? Problem(int status, string? mediaType, byte[] body, int headerBytes, bool bodyless)
    {
        if (KestrelRefusals.Contains(status) && mediaType is null && body.Length == 0)
        {
            return null;
        }

        if (!Documented.Contains(status))
        {
            return $"status {status}, which the door does not document";
        }

        if (headerBytes > MaxHeaderBytes)
        {
            return $"{headerBytes} bytes of response headers";
        }

        if (bodyless)
        {
            return null;
        }

        try
        {
            if (status >= 400)
            {
                return mediaType != OpenAiResponses.JsonType ? $"{status} as '{mediaType}', not JSON" : ErrorProblem(body);
            }

            return mediaType == SseChunkSink.EventStreamType ? StreamProblem(body) : AnswerProblem(body);
        }
        catch (JsonException ex)
        {
            return $"{status} with a body that is not JSON ({ex.Message}): {Shown(body)}";
        }
    }

    /// <summary>OpenAI's error object: <c>{"error":{"message","type",...}}</c> with a message of at most <see cref="Quote.MaxMessageBytes"/>.</summary>
    public static string? ErrorProblem(byte[] body)
    {
        if (body.Length > MaxErrorBodyBytes)
        {
            return $"an error body of {body.Length} bytes: {Shown(body)}";
        }

        using JsonDocument document = JsonDocument.Parse(body);
        return ErrorObjectProblem(document.RootElement) is { } problem ? problem + ": " + Shown(body) : null;
    }

    private static string? ErrorObjectProblem(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out JsonElement error) || error.ValueKind != JsonValueKind.Object)
        {
            return "no error object";
        }

        if (!error.TryGetProperty("message", out JsonElement message) || message.ValueKind != JsonValueKind.String
            || !error.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || type.GetString()!.Length == 0)
        {
            return "an error without a message or type";
        }

        int bytes = Encoding.UTF8.GetByteCount(message.GetString()!);
        return bytes > Quote.MaxMessageBytes ? $"an error message of {bytes} bytes" : null;
    }

    private static string? AnswerProblem(byte[] body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        return root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("choices", out _) || root.TryGetProperty("data", out _))
            ? null
            : "a 200 that is neither a completion nor a model list: " + Shown(body);
    }

    /// <summary>Every event's data is JSON, and the stream ends in <c>[DONE]</c> or an error event holding an error object.</summary>
    private static string? StreamProblem(byte[] body)
    {
        List<(string Event, string Data)> events = OpenAiDoorClient.SseEvents(Encoding.UTF8.GetString(body));
        if (events.Count == 0)
        {
            return "an empty event stream";
        }

        foreach ((string name, string data) in events.Take(events.Count - 1))
        {
            using JsonDocument _ = JsonDocument.Parse(data);
            if (name != "message")
            {
                return $"an '{name}' event before the end";
            }
        }

        (string lastEvent, string last) = events[^1];
        if (lastEvent == "message" && last == "[DONE]")
        {
            return null;
        }

        using JsonDocument end = JsonDocument.Parse(last);
        return lastEvent != "error" ? "a stream that ends without [DONE] or an error event" : ErrorObjectProblem(end.RootElement);
    }

    /// <summary>The start of a body for a failure message, with control characters made visible.</summary>
    public static string Shown(byte[] bytes, int max = 300)
    {
        string text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, max));
        return string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString())) + (bytes.Length > max ? $"... ({bytes.Length} bytes)" : string.Empty);
    }
}
