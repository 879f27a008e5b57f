using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>
/// Turns Chat Completions chunks into provider events, one SSE event at a time, and decides at the end
/// whether the answer was complete. A non-streamed chat.completion body is the same shape with
/// "message" in place of "delta", so it goes through the same code.
/// </summary>
internal sealed class OpenAiStreamDecoder(string provider, ApiKey? key)
{
    private readonly List<ProviderEvent> _events = [];
    private FinishReason? _finish;
    private Usage? _usage;
    private bool _sawChoice;
    private bool _sawToolCall;

    /// <summary>True once the terminal "data: [DONE]" (or a whole non-streamed body) was read.</summary>
    public bool Done { get; private set; }

    /// <summary>Decodes one SSE event. The list returned is reused by the next call.</summary>
    public IReadOnlyList<ProviderEvent> Accept(SseEvent sse)
    {
        _events.Clear();
        string data = sse.Data.Trim();
        if (data == "[DONE]")
        {
            Done = true;
        }
        else if (sse.Event == "error")
        {
            // A few servers name the event instead of (or as well as) sending an error object.
            throw OpenAiStreamError.FromEvent(provider, data, key);
        }
        else if (data.Length > 0)
        {
            using JsonDocument chunk = Parse(data);
            AcceptChunk(chunk.RootElement, data);
        }

        return _events;
    }

    /// <summary>Decodes a whole application/json answer: a server that ignored stream=true, or an error body sent with 200.</summary>
    public IReadOnlyList<ProviderEvent> AcceptBody(string body)
    {
        _events.Clear();
        using JsonDocument answer = Parse(body);
        AcceptChunk(answer.RootElement, body);
        Done = true;
        return _events;
    }

    /// <summary>The final event, or the reason there is none.</summary>
    public Completion Finish(int httpStatus)
    {
        if (!Done)
        {
            // Also when a finish_reason and usage came: without [DONE] we cannot know nothing was lost.
            throw new ProviderException(ProviderErrorKind.Connection, $"{provider}: stream ended early (no [DONE])", httpStatus);
        }

        if (!_sawChoice)
        {
            throw new ProviderException(ProviderErrorKind.InvalidAnswer, $"{provider}: empty answer (no choices)", httpStatus);
        }

        FinishReason finish = _finish ?? (_sawToolCall ? FinishReason.ToolCalls : FinishReason.Stop);
        return new Completion(finish, _usage ?? new Usage(), httpStatus);
    }

    private JsonDocument Parse(string data)
    {
        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException ex)
        {
            // The position helps find the fault; the text itself may hold the prompt, so it stays out.
            throw new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider}: malformed JSON in the answer (line {ex.LineNumber}, byte {ex.BytePositionInLine})", 200);
        }
    }

    private void AcceptChunk(JsonElement chunk, string raw)
    {
        if (chunk.ValueKind != JsonValueKind.Object)
        {
            throw new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider}: an answer chunk is not a JSON object", 200);
        }

        if (chunk.TryGetProperty("error", out JsonElement error) && error.ValueKind != JsonValueKind.Null)
        {
            throw OpenAiStreamError.From(provider, error, raw, key);
        }

        if (chunk.TryGetProperty("usage", out JsonElement usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _usage = OpenAiUsage.Map(usage);
        }

        if (chunk.TryGetProperty("choices", out JsonElement choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement choice in choices.EnumerateArray())
            {
                AcceptChoice(choice);
            }
        }
    }

    private void AcceptChoice(JsonElement choice)
    {
        // One choice is requested (n defaults to 1); anything else is not ours to merge.
        if (choice.ValueKind != JsonValueKind.Object
            || (choice.TryGetProperty("index", out JsonElement index) && index.ValueKind == JsonValueKind.Number && !(index.TryGetInt32(out int n) && n == 0)))
        {
            return;
        }

        _sawChoice = true;
        // Moonshot puts the usage of a streamed answer inside the last choice.
        if (choice.TryGetProperty("usage", out JsonElement usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _usage = OpenAiUsage.Map(usage);
        }

        if ((choice.TryGetProperty("delta", out JsonElement delta) || choice.TryGetProperty("message", out delta))
            && delta.ValueKind == JsonValueKind.Object)
        {
            AcceptDelta(delta);
        }

        if (choice.TryGetProperty("finish_reason", out JsonElement finish) && finish.ValueKind == JsonValueKind.String)
        {
            _finish = MapFinish(finish.GetString()!);
        }
    }

    private void AcceptDelta(JsonElement delta)
    {
        AddText(delta, "content");
        // A refusal is text like any other: the router's validator judges refusals, not the adapter.
        AddText(delta, "refusal");
        if (delta.TryGetProperty("tool_calls", out JsonElement calls) && calls.ValueKind == JsonValueKind.Array)
        {
            int position = 0;
            foreach (JsonElement call in calls.EnumerateArray())
            {
                AddToolCall(call, position++);
            }
        }
    }

    private void AddText(JsonElement delta, string field)
    {
        if (delta.TryGetProperty(field, out JsonElement text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } value)
        {
            _events.Add(new ContentDelta(value));
        }
    }

    private void AddToolCall(JsonElement call, int position)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // Streamed pieces carry the call's index; a whole message lists its calls in order without one.
        int index = call.TryGetProperty("index", out JsonElement i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out int n) && n >= 0 ? n : position;
        string? id = StringOf(call, "id");
        string? name = null;
        string arguments = string.Empty;
        if (call.TryGetProperty("function", out JsonElement function) && function.ValueKind == JsonValueKind.Object)
        {
            name = StringOf(function, "name");
            if (function.TryGetProperty("arguments", out JsonElement args))
            {
                // Some servers send the arguments as an object rather than as JSON text.
                arguments = args.ValueKind switch
                {
                    JsonValueKind.String => args.GetString()!,
                    JsonValueKind.Object or JsonValueKind.Array => args.GetRawText(),
                    _ => string.Empty,
                };
            }
        }

        _sawToolCall = true;
        _events.Add(new ToolCallPiece(index, id, name, arguments));
    }

    private static string? StringOf(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private FinishReason MapFinish(string reason) => reason switch
    {
        "stop" or "eos" or "end_turn" => FinishReason.Stop,
        "length" => FinishReason.Length,
        "tool_calls" or "function_call" => FinishReason.ToolCalls,
        "content_filter" => FinishReason.ContentFilter,
        // DeepSeek ends an answer it could not finish this way; OpenRouter uses "error" after a mid-stream failure.
        "insufficient_system_resource" or "error" =>
            throw new ProviderException(ProviderErrorKind.Server, $"{provider}: the server cut the answer short (finish_reason {reason})", 200),
        _ => FinishReason.Stop,
    };
}
