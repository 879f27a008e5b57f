using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>
/// Writes the "messages" array. Anthropic accepts only user and assistant turns that alternate, so
/// consecutive messages of the same side are merged into one turn with several content blocks; tool
/// results travel as tool_result blocks of a user turn, tool calls as tool_use blocks of an assistant turn.
/// </summary>
internal static class AnthropicMessageWriter
{
    public static void Write(Utf8JsonWriter json, IEnumerable<Message> messages, string provider)
    {
        json.WriteStartArray("messages");
        bool any = false;
        foreach ((string role, List<Message> turn) in Turns(messages))
        {
            json.WriteStartObject();
            json.WriteString("role", role);
            json.WriteStartArray("content");
            // Anthropic rejects a user turn whose text precedes its tool results, so results go first.
            foreach (Message message in turn.Where(m => m.Role == Role.Tool).Concat(turn.Where(m => m.Role != Role.Tool)))
            {
                WriteBlocks(json, message, provider);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            any = true;
        }

        if (!any)
        {
            throw new ProviderException(ProviderErrorKind.BadRequest, $"{provider}: the request has no user or assistant message");
        }

        json.WriteEndArray();
    }

    /// <summary>Groups the conversation into alternating turns; system messages are lifted elsewhere.</summary>
    private static IEnumerable<(string Role, List<Message> Messages)> Turns(IEnumerable<Message> messages)
    {
        string? role = null;
        List<Message> turn = [];
        foreach (Message message in messages)
        {
            if (message.Role == Role.System || !HasBlocks(message))
            {
                continue;
            }

            string side = message.Role == Role.Assistant ? "assistant" : "user";
            if (side != role && turn.Count > 0)
            {
                yield return (role!, turn);
                turn = [];
            }

            role = side;
            turn.Add(message);
        }

        if (turn.Count > 0)
        {
            yield return (role!, turn);
        }
    }

    /// <summary>Anthropic rejects empty text blocks, so a message with nothing to say is left out.</summary>
    private static bool HasBlocks(Message message) =>
        message.Role == Role.Tool || message.Content.Length > 0 || (message.Role == Role.Assistant && message.ToolCalls.Count > 0);

    private static void WriteBlocks(Utf8JsonWriter json, Message message, string provider)
    {
        if (message.Role == Role.Tool)
        {
            WriteToolResult(json, message, provider);
            return;
        }

        if (message.Content.Length > 0)
        {
            json.WriteStartObject();
            json.WriteString("type", "text");
            json.WriteString("text", message.Content);
            json.WriteEndObject();
        }

        if (message.Role == Role.Assistant)
        {
            foreach (ToolCall call in message.ToolCalls)
            {
                WriteToolUse(json, call, provider);
            }
        }
    }

    private static void WriteToolUse(Utf8JsonWriter json, ToolCall call, string provider)
    {
        if (call.Id.Length == 0 || call.Name.Length == 0)
        {
            throw new ProviderException(ProviderErrorKind.BadRequest, $"{provider}: an assistant tool call has no id or no name");
        }

        json.WriteStartObject();
        json.WriteString("type", "tool_use");
        json.WriteString("id", call.Id);
        json.WriteString("name", call.Name);
        json.WritePropertyName("input");
        WriteObject(json, call.ArgumentsJson, $"{provider}: the arguments of tool call {call.Id}");
        json.WriteEndObject();
    }

    private static void WriteToolResult(Utf8JsonWriter json, Message message, string provider)
    {
        if (message.ToolCallId.Length == 0)
        {
            throw new ProviderException(ProviderErrorKind.BadRequest, $"{provider}: a tool message has no tool_call_id");
        }

        json.WriteStartObject();
        json.WriteString("type", "tool_result");
        json.WriteString("tool_use_id", message.ToolCallId);
        // content is optional; an empty text block would be rejected.
        if (message.Content.Length > 0)
        {
            json.WriteString("content", message.Content);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Embeds JSON text that must be an object (tool arguments, parameter schemas); empty text is the
    /// empty object. Anything else is the caller's mistake, reported before any HTTP call.
    /// </summary>
    public static void WriteObject(Utf8JsonWriter json, string text, string what, string emptyObject = "{}")
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? emptyObject : text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ProviderException(ProviderErrorKind.BadRequest, $"{what}: must be a JSON object");
            }

            document.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            throw new ProviderException(ProviderErrorKind.BadRequest, $"{what}: not valid JSON");
        }
    }
}
