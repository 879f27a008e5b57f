using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>
/// Builds the JSON body of POST /v1/messages from our request. Always streams: the engine collects a
/// stream for unary calls, so there is one code path. Mistakes in the request (tool arguments or
/// schemas that are not JSON objects) throw BadRequest here, before any HTTP call.
/// </summary>
internal static class AnthropicRequestWriter
{
    /// <summary>Keeps non-ASCII text as UTF-8 (prompts in other scripts would triple in size escaped).</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string EmptySchema = """{"type":"object","properties":{}}""";

    public static byte[] Write(ProviderCall call, int defaultMaxTokens, string provider)
    {
        CompleteRequest request = call.Request;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model", call.Model);
            // max_tokens is required by Anthropic and must be at least 1.
            json.WriteNumber("max_tokens", request.MaxTokens is uint max and > 0 ? max : (uint)defaultMaxTokens);
            if (request.Temperature is double temperature && double.IsFinite(temperature))
            {
                // Anthropic accepts 0..1 where OpenAI accepts 0..2: the top of our range is its top.
                json.WriteNumber("temperature", Math.Clamp(temperature, 0, 1));
            }

            json.WriteBoolean("stream", true);
            if (SystemPrompt(request) is { } system)
            {
                json.WriteString("system", system);
            }

            AnthropicMessageWriter.Write(json, request.Messages, provider);
            if (request.Tools.Count > 0)
            {
                WriteTools(json, request.Tools, provider);
                WriteToolChoice(json, request.ToolChoice);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Every system message, in order, joined by blank lines. Anthropic has no response_format, so a
    /// requested JSON schema becomes one more instruction; the router validates the answer.
    /// </summary>
    internal static string? SystemPrompt(CompleteRequest request)
    {
        List<string> parts = request.Messages.Where(m => m.Role == Role.System && m.Content.Length > 0).Select(m => m.Content).ToList();
        if (!string.IsNullOrWhiteSpace(request.ResponseJsonSchema))
        {
            parts.Add(SchemaInstruction(request.ResponseJsonSchema));
        }

        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }

    internal static string SchemaInstruction(string schema) =>
        "Answer with a single JSON value that conforms to the following JSON Schema. "
        + "Write only the JSON, with no other text and no code fences.\n" + schema.Trim();

    private static void WriteTools(Utf8JsonWriter json, IEnumerable<Tool> tools, string provider)
    {
        json.WriteStartArray("tools");
        foreach (Tool tool in tools)
        {
            json.WriteStartObject();
            json.WriteString("name", tool.Name);
            if (tool.Description.Length > 0)
            {
                json.WriteString("description", tool.Description);
            }

            json.WritePropertyName("input_schema");
            AnthropicMessageWriter.WriteObject(json, tool.ParametersJsonSchema, $"{provider}: the parameter schema of tool {tool.Name}", EmptySchema);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, ToolChoice? choice)
    {
        if (choice is null)
        {
            return;
        }

        string? type = choice.ToolName.Length > 0 ? "tool" : choice.Mode switch
        {
            ToolChoiceMode.Auto => "auto",
            ToolChoiceMode.Required => "any",
            ToolChoiceMode.None => "none",
            _ => null,
        };
        if (type is null)
        {
            return;
        }

        json.WriteStartObject("tool_choice");
        json.WriteString("type", type);
        if (type == "tool")
        {
            json.WriteString("name", choice.ToolName);
        }

        json.WriteEndObject();
    }
}
