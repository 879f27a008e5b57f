using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using static Cortex.Llmd.OpenAi.RequestFields;

namespace Cortex.Llmd.OpenAi;

/// <summary>A Chat Completions request as the core takes it, with what only this door needs.</summary>
/// <param name="Request">Messages, options, tools and response schema; routing is not applied yet (see <see cref="ModelCatalog.Apply"/>).</param>
/// <param name="Model">The <c>model</c> field as sent.</param>
/// <param name="Stream">Whether the caller asked for server-sent events.</param>
/// <param name="IncludeUsage">Whether a stream ends with a usage chunk (<c>stream_options.include_usage</c>); false when not streaming.</param>
public sealed record ChatCompletionRequest(CompleteRequest Request, string Model, bool Stream, bool IncludeUsage);

/// <summary>Either a request or the 400 that explains why there is none.</summary>
public sealed class ChatCompletionReadResult
{
    private ChatCompletionReadResult(ChatCompletionRequest? value, OpenAiError? error)
    {
        Value = value;
        Error = error;
    }

    public ChatCompletionRequest? Value { get; }

    public OpenAiError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Value is not null;

    public static ChatCompletionReadResult Ok(ChatCompletionRequest value) => new(value, null);

    public static ChatCompletionReadResult Fail(OpenAiError error) => new(null, error);
}

/// <summary>
/// Reads a <c>POST /v1/chat/completions</c> body. Unknown top-level fields are ignored (the SDKs send
/// many we have no use for); a known field of the wrong JSON type is a 400 naming it. The body's size is
/// bounded by the endpoint; here nesting is capped (<see cref="OpenAiJson.MaxDepth"/>) and every walk is linear.
/// </summary>
public static class ChatCompletionRequestReader
{
    /// <summary>OpenAI's own limit on tools per request.</summary>
    public const int MaxTools = 128;

    /// <summary>The most characters of <c>user</c>, which becomes the ledger label "user".</summary>
    public const int MaxUserLength = 256;

    /// <summary>The label the <c>user</c> field is kept under.</summary>
    public const string UserLabel = "user";

    /// <summary>What <c>response_format: {type: "json_object"}</c> asks of the answer: one JSON object.</summary>
    public const string JsonObjectSchema = """{"type":"object"}""";

    public static ChatCompletionReadResult Read(ReadOnlyMemory<byte> body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body, OpenAiJson.ReaderOptions);
            return ReadRoot(document.RootElement);
        }
        catch (JsonException ex)
        {
            return NotJson(ex);
        }
    }

    public static ChatCompletionReadResult Read(ReadOnlySequence<byte> body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body, OpenAiJson.ReaderOptions);
            return ReadRoot(document.RootElement);
        }
        catch (JsonException ex)
        {
            return NotJson(ex);
        }
    }

    private static ChatCompletionReadResult NotJson(JsonException ex)
    {
        // The position helps find the fault; the parser's message quotes at most a property name of the body.
        string where = ex.LineNumber is { } line && ex.BytePositionInLine is { } column ? $" (line {line + 1}, byte {column + 1})" : string.Empty;
        return ChatCompletionReadResult.Fail(OpenAiErrors.InvalidRequest(null, $"the body is not valid JSON{where}: {Quote.Clip(ex.Message)}"));
    }

    private static ChatCompletionReadResult ReadRoot(JsonElement root)
    {
        try
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("body", "the body must be a JSON object");
            }

            return ChatCompletionReadResult.Ok(Map(root));
        }
        catch (BadParameterException ex)
        {
            return ChatCompletionReadResult.Fail(OpenAiErrors.InvalidRequest(ex.Param, ex.Message));
        }
    }

    private static ChatCompletionRequest Map(JsonElement root)
    {
        string model = RequiredString(root, "model", "model");
        if (model.Length == 0)
        {
            throw Bad("model", "'model' must not be empty");
        }

        var request = new CompleteRequest();
        ChatMessagesReader.Read(root, request);
        ReadSampling(root, request);
        ReadTools(root, request);
        ReadToolChoice(root, request);
        ReadResponseFormat(root, request);
        if (OptionalString(root, "user", "user") is { Length: > 0 } user)
        {
            if (user.Length > MaxUserLength)
            {
                throw Bad("user", $"'user' must be at most {MaxUserLength} characters");
            }

            request.Labels[UserLabel] = user;
        }

        bool stream = OptionalBool(root, "stream", "stream") ?? false;
        bool includeUsage = OptionalObject(root, "stream_options", "stream_options") is { } options
            && (OptionalBool(options, "include_usage", "stream_options.include_usage") ?? false);
        return new ChatCompletionRequest(request, model, stream, stream && includeUsage);
    }

    private static void ReadSampling(JsonElement root, CompleteRequest request)
    {
        if (OptionalNumber(root, "temperature", "temperature") is { } temperature)
        {
            request.Temperature = temperature is >= 0 and <= 2 ? temperature : throw Bad("temperature", "'temperature' must be between 0 and 2");
        }

        // max_completion_tokens is the newer name; when both are sent it wins, as at OpenAI.
        uint? max = MaxTokens(root, "max_tokens");
        uint? completion = MaxTokens(root, "max_completion_tokens");
        if ((completion ?? max) is { } tokens)
        {
            request.MaxTokens = tokens;
        }

        if (OptionalInteger(root, "n", "n") is { } n && n != 1)
        {
            throw Bad("n", "only one choice per request is supported ('n' must be 1)");
        }
    }

    private static uint? MaxTokens(JsonElement root, string name) => OptionalInteger(root, name, name) switch
    {
        null => null,
        >= 1 and <= uint.MaxValue and var value => (uint)value,
        _ => throw Bad(name, $"'{name}' must be a positive integer"),
    };

    private static void ReadTools(JsonElement root, CompleteRequest request)
    {
        if (OptionalArray(root, "tools", "tools") is not { } tools)
        {
            return;
        }

        if (tools.GetArrayLength() > MaxTools)
        {
            throw Bad("tools", $"'tools' has {tools.GetArrayLength()} entries; at most {MaxTools} are accepted");
        }

        int i = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            string param = ChatMessagesReader.Index("tools", i++);
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw WrongType(param, "an object", tool);
            }

            string type = RequiredString(tool, "type", param + ".type");
            if (type != "function")
            {
                throw Bad(param + ".type", $"tool type {Quote.Of(type)} is not supported; only function tools are");
            }

            JsonElement function = RequiredObject(tool, "function", param + ".function");
            string name = RequiredString(function, "name", param + ".function.name");
            if (!ToolNames.IsValid(name))
            {
                throw Bad(param + ".function.name", $"'{param}.function.name' must be 1 to {ToolNames.MaxLength} letters, digits, '_' or '-'");
            }

            // strict is accepted for its type and not passed on: the router checks answers against schemas itself.
            _ = OptionalBool(function, "strict", param + ".function.strict");
            request.Tools.Add(new Tool
            {
                Name = name,
                Description = OptionalString(function, "description", param + ".function.description") ?? string.Empty,
                ParametersJsonSchema = OptionalObject(function, "parameters", param + ".function.parameters") is { } parameters ? RawTextOf(parameters, param + ".function.parameters") : string.Empty,
            });
        }
    }

    private static void ReadToolChoice(JsonElement root, CompleteRequest request)
    {
        switch (Child(root, "tool_choice"))
        {
            case null:
                return;
            case { ValueKind: JsonValueKind.String } mode:
                request.ToolChoice = new ToolChoice
                {
                    Mode = StringOf(mode, "tool_choice") switch
                    {
                        "auto" => ToolChoiceMode.Auto,
                        "none" => ToolChoiceMode.None,
                        "required" => ToolChoiceMode.Required,
                        _ => throw Bad("tool_choice", "'tool_choice' must be \"none\", \"auto\", \"required\" or a function"),
                    },
                };
                return;
            case { ValueKind: JsonValueKind.Object } named:
                string type = RequiredString(named, "type", "tool_choice.type");
                if (type != "function")
                {
                    throw Bad("tool_choice.type", $"tool_choice type {Quote.Of(type)} is not supported; only \"function\" is");
                }

                JsonElement function = RequiredObject(named, "function", "tool_choice.function");
                request.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Required, ToolName = RequiredString(function, "name", "tool_choice.function.name") };
                return;
            case { } other:
                throw WrongType("tool_choice", "a string or an object", other);
        }
    }

    private static void ReadResponseFormat(JsonElement root, CompleteRequest request)
    {
        if (OptionalObject(root, "response_format", "response_format") is not { } format)
        {
            return;
        }

        switch (RequiredString(format, "type", "response_format.type"))
        {
            case "text":
                return;
            case "json_object":
                request.ResponseJsonSchema = JsonObjectSchema;
                return;
            case "json_schema":
                JsonElement schema = RequiredObject(format, "json_schema", "response_format.json_schema");
                if (RequiredString(schema, "name", "response_format.json_schema.name").Length == 0)
                {
                    throw Bad("response_format.json_schema.name", "'response_format.json_schema.name' must not be empty");
                }

                _ = OptionalString(schema, "description", "response_format.json_schema.description");
                _ = OptionalBool(schema, "strict", "response_format.json_schema.strict");
                // OpenAI allows the schema to be left out; the answer must then still be one JSON object.
                request.ResponseJsonSchema = OptionalObject(schema, "schema", "response_format.json_schema.schema") is { } given
                    ? RawTextOf(given, "response_format.json_schema.schema")
                    : JsonObjectSchema;
                return;
            default:
                throw Bad("response_format.type", "'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"");
        }
    }
}
