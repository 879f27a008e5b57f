using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>
/// Writes a Chat Completions request body with Utf8JsonWriter (no reflection, so AOT-clean). Caller
/// JSON (tool schemas, the response schema) is parsed and embedded as JSON, never as a string.
/// </summary>
internal static class OpenAiRequestWriter
{
    // Relaxed escaping writes non-ASCII text as UTF-8 rather than \uXXXX (a third of the bytes for CJK
    // prompts); the HTML-safety it gives up does not matter in an API body.
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Sent when a tool declares no parameters: OpenAI rejects a function without an object schema.</summary>
    private const string EmptyParameters = """{"type":"object","properties":{}}""";

    public static byte[] Write(ProviderCall call, OpenAiSettings settings, string provider)
    {
        CompleteRequest request = call.Request;
        bool wantsSchema = request.ResponseJsonSchema.Length > 0;
        using JsonDocument? schema = wantsSchema ? ParseJson(request.ResponseJsonSchema, provider, "response_json_schema") : null;
        StructuredOutputMode mode = !wantsSchema ? StructuredOutputMode.None
            : call.Capabilities.JsonSchema ? settings.StructuredOutput
            : StructuredOutputMode.None;
        // A server that constrains decoding needs no hint; every other path tells the model in words.
        string? hint = wantsSchema && mode != StructuredOutputMode.JsonSchema ? SchemaHint(request.ResponseJsonSchema) : null;

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model", call.Model);
            WriteMessages(json, request, hint);
            if (request.Temperature is { } temperature)
            {
                json.WriteNumber("temperature", temperature);
            }

            if ((request.MaxTokens ?? (uint?)settings.DefaultMaxTokens) is { } maxTokens)
            {
                json.WriteNumber(settings.MaxTokensField == MaxTokensField.MaxCompletionTokens ? "max_completion_tokens" : "max_tokens", maxTokens);
            }

            WriteTools(json, request, provider);
            WriteResponseFormat(json, mode, schema);
            json.WriteBoolean("stream", !call.WholeAnswer);
            if (!call.WholeAnswer && settings.StreamUsage)
            {
                json.WriteStartObject("stream_options");
                json.WriteBoolean("include_usage", true);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static string SchemaHint(string schema) =>
        "Answer with one JSON object only, no other text, that satisfies this JSON Schema:\n" + schema;

    private static void WriteMessages(Utf8JsonWriter json, CompleteRequest request, string? hint)
    {
        json.WriteStartArray("messages");
        bool hintPlaced = hint is null;
        for (int i = 0; i < request.Messages.Count; i++)
        {
            Message message = request.Messages[i];
            string? extra = null;
            if (!hintPlaced && i == 0 && message.Role == Role.System)
            {
                // Folded into the first system message: several chat templates accept only one, and only first.
                extra = hint;
                hintPlaced = true;
            }
            else if (!hintPlaced)
            {
                WriteSystem(json, hint!);
                hintPlaced = true;
            }

            WriteMessage(json, message, extra);
        }

        json.WriteEndArray();
    }

    private static void WriteSystem(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("role", "system");
        json.WriteString("content", text);
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, Message message, string? appended)
    {
        json.WriteStartObject();
        json.WriteString("role", RoleName(message.Role));
        string content = appended is null ? message.Content
            : message.Content.Length == 0 ? appended
            : message.Content + "\n\n" + appended;
        if (message.Role == Role.Assistant && message.ToolCalls.Count > 0 && content.Length == 0)
        {
            // OpenAI's documented form for an assistant turn that only calls tools.
            json.WriteNull("content");
        }
        else
        {
            json.WriteString("content", content);
        }

        if (message.Name.Length > 0)
        {
            json.WriteString("name", message.Name);
        }

        if (message.Role == Role.Tool)
        {
            json.WriteString("tool_call_id", message.ToolCallId);
        }

        if (message.Role == Role.Assistant && message.ToolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (ToolCall call in message.ToolCalls)
            {
                json.WriteStartObject();
                json.WriteString("id", call.Id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", call.Name);
                // Arguments travel as JSON text inside a string, exactly as the model produced them.
                json.WriteString("arguments", call.ArgumentsJson.Length == 0 ? "{}" : call.ArgumentsJson);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static string RoleName(Role role) => role switch
    {
        Role.System => "system",
        Role.Assistant => "assistant",
        Role.Tool => "tool",
        _ => "user",
    };

    private static void WriteTools(Utf8JsonWriter json, CompleteRequest request, string provider)
    {
        if (request.Tools.Count == 0)
        {
            return;
        }

        json.WriteStartArray("tools");
        foreach (Tool tool in request.Tools)
        {
            json.WriteStartObject();
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", tool.Name);
            if (tool.Description.Length > 0)
            {
                json.WriteString("description", tool.Description);
            }

            json.WritePropertyName("parameters");
            string parameters = string.IsNullOrWhiteSpace(tool.ParametersJsonSchema) ? EmptyParameters : tool.ParametersJsonSchema;
            using (JsonDocument schema = ParseJson(parameters, provider, $"tool '{tool.Name}' parameters_json_schema"))
            {
                schema.WriteTo(json);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteToolChoice(json, request.ToolChoice);
    }

    private static void WriteToolChoice(Utf8JsonWriter json, ToolChoice? choice)
    {
        if (choice is null)
        {
            return;
        }

        if (choice.ToolName.Length > 0)
        {
            json.WriteStartObject("tool_choice");
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", choice.ToolName);
            json.WriteEndObject();
            json.WriteEndObject();
            return;
        }

        string? mode = choice.Mode switch
        {
            ToolChoiceMode.Auto => "auto",
            ToolChoiceMode.None => "none",
            ToolChoiceMode.Required => "required",
            _ => null,
        };
        if (mode is not null)
        {
            json.WriteString("tool_choice", mode);
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter json, StructuredOutputMode mode, JsonDocument? schema)
    {
        if (schema is null || mode == StructuredOutputMode.None)
        {
            return;
        }

        json.WriteStartObject("response_format");
        if (mode == StructuredOutputMode.JsonObject)
        {
            json.WriteString("type", "json_object");
        }
        else
        {
            json.WriteString("type", "json_schema");
            json.WriteStartObject("json_schema");
            json.WriteString("name", "response");
            json.WritePropertyName("schema");
            schema.WriteTo(json);
            // Strict mode rejects common schemas (optional properties, formats); the router validates the answer.
            json.WriteBoolean("strict", false);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static JsonDocument ParseJson(string text, string provider, string what)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new ProviderException(ProviderErrorKind.BadRequest, $"{provider}: {what} is not valid JSON");
        }
    }
}
