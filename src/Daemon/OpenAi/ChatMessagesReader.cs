using System.Globalization;
using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using static Cortex.Llmd.OpenAi.RequestFields;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// Reads Chat Completions <c>messages</c> into the core's messages. Only text is carried: the core has
/// no images, audio or files, so such a content part is a 400 naming it rather than silently dropped.
/// </summary>
internal static class ChatMessagesReader
{
    /// <summary>Far beyond any real conversation; a cap so a hostile body cannot make millions of small messages.</summary>
    public const int MaxMessages = 4096;

    /// <summary>Text parts are joined with a newline, as vLLM and most OpenAI-compatible servers do.</summary>
    private const char PartSeparator = '\n';

    public static void Read(JsonElement root, CompleteRequest request)
    {
        JsonElement messages = OptionalArray(root, "messages", "messages") ?? throw Bad("messages", "'messages' is required");
        int count = messages.GetArrayLength();
        if (count == 0)
        {
            throw Bad("messages", "'messages' must not be empty");
        }

        if (count > MaxMessages)
        {
            throw Bad("messages", $"'messages' has {count} entries; at most {MaxMessages} are accepted");
        }

        int i = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            request.Messages.Add(ReadMessage(message, Index("messages", i++)));
        }
    }

    private static Message ReadMessage(JsonElement message, string param)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(param, "an object", message);
        }

        string roleName = RequiredString(message, "role", param + ".role");
        Role role = roleName switch
        {
            // "developer" is OpenAI's newer name for the system turn of reasoning models.
            "system" or "developer" => Role.System,
            "user" => Role.User,
            "assistant" => Role.Assistant,
            "tool" => Role.Tool,
            _ => throw Bad(param + ".role", $"'{param}.role' must be one of system, developer, user, assistant or tool"),
        };

        // Validated for its type, not kept: the core's providers do not all accept participant names.
        _ = OptionalString(message, "name", param + ".name");
        var mapped = new Message { Role = role };
        string? content = ReadContent(message, param + ".content", role);
        if (role == Role.Assistant)
        {
            ReadToolCalls(message, param + ".tool_calls", mapped);
            if (content is null && mapped.ToolCalls.Count == 0)
            {
                throw Bad(param + ".content", $"'{param}.content' is required unless the message has tool_calls");
            }
        }
        else if (content is null)
        {
            throw Bad(param + ".content", $"'{param}.content' is required");
        }

        if (role == Role.Tool)
        {
            mapped.ToolCallId = RequiredString(message, "tool_call_id", param + ".tool_call_id");
            if (mapped.ToolCallId.Length == 0)
            {
                throw Bad(param + ".tool_call_id", $"'{param}.tool_call_id' must not be empty");
            }
        }

        mapped.Content = content ?? string.Empty;
        return mapped;
    }

    /// <summary>A string, or an array of text parts joined; null when absent.</summary>
    private static string? ReadContent(JsonElement message, string param, Role role)
    {
        switch (Child(message, "content"))
        {
            case null:
                return null;
            case { ValueKind: JsonValueKind.String } text:
                return StringOf(text, param);
            case { ValueKind: JsonValueKind.Array } parts:
                return JoinParts(parts, param, role);
            case { } other:
                throw WrongType(param, "a string or an array of content parts", other);
        }
    }

    private static string JoinParts(JsonElement parts, string param, Role role)
    {
        var text = new StringBuilder();
        int j = 0;
        foreach (JsonElement part in parts.EnumerateArray())
        {
            string partParam = Index(param, j++);
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw WrongType(partParam, "an object", part);
            }

            string type = RequiredString(part, "type", partParam + ".type");
            string value = type switch
            {
                "text" => RequiredString(part, "text", partParam + ".text"),
                // An assistant turn replayed from an earlier answer may carry the model's refusal as a part.
                "refusal" when role == Role.Assistant => RequiredString(part, "refusal", partParam + ".refusal"),
                _ => throw Bad(partParam + ".type", $"content part type {Errors.Quote.Of(type)} is not supported here; only text parts are"),
            };
            if (j > 1)
            {
                text.Append(PartSeparator);
            }

            text.Append(value);
        }

        return text.ToString();
    }

    private static void ReadToolCalls(JsonElement message, string param, Message mapped)
    {
        if (OptionalArray(message, "tool_calls", param) is not { } calls)
        {
            return;
        }

        int k = 0;
        foreach (JsonElement call in calls.EnumerateArray())
        {
            string callParam = Index(param, k++);
            if (call.ValueKind != JsonValueKind.Object)
            {
                throw WrongType(callParam, "an object", call);
            }

            string type = OptionalString(call, "type", callParam + ".type") ?? "function";
            if (type != "function")
            {
                throw Bad(callParam + ".type", $"tool call type {Errors.Quote.Of(type)} is not supported; only function calls are");
            }

            JsonElement function = RequiredObject(call, "function", callParam + ".function");
            mapped.ToolCalls.Add(new ToolCall
            {
                Id = RequiredString(call, "id", callParam + ".id"),
                Name = RequiredString(function, "name", callParam + ".function.name"),
                // The arguments are JSON text inside a string, as the model produced them; passed on unparsed.
                ArgumentsJson = OptionalString(function, "arguments", callParam + ".function.arguments") ?? string.Empty,
            });
        }
    }

    public static string Index(string param, int index) => param + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
}
