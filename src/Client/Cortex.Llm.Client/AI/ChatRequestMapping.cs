using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using Microsoft.Extensions.AI;

namespace Cortex.Llm.Client.AI;

/// <summary>
/// Microsoft.Extensions.AI's chat request as the daemon's <see cref="CompleteRequest"/>. Written
/// without reflection-based serialisation: tool arguments are written value by value, and only a
/// value of a type JSON cannot describe by itself goes through <see cref="AIJsonUtilities.DefaultOptions"/>.
/// </summary>
internal static class ChatRequestMapping
{
    public static CompleteRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = new CompleteRequest();
        foreach (ChatMessage message in messages)
        {
            AddMessage(request, message);
        }

        if (options is not null)
        {
            ApplyOptions(request, options);
        }

        return request;
    }

    private static void AddMessage(CompleteRequest request, ChatMessage message)
    {
        Role role = RoleOf(message.Role);
        var text = new StringBuilder();
        var calls = new List<V1.ToolCall>();
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case FunctionCallContent call:
                    calls.Add(new V1.ToolCall { Id = call.CallId, Name = call.Name, ArgumentsJson = ArgumentsJson(call.Arguments) });
                    break;
                case FunctionResultContent result:
                    // Each result is its own tool message, answering the call it names.
                    request.Messages.Add(new Message { Role = Role.Tool, ToolCallId = result.CallId, Content = ResultText(result.Result) });
                    break;
            }
        }

        if (text.Length > 0 || calls.Count > 0)
        {
            var mapped = new Message { Role = role, Content = text.ToString(), Name = message.AuthorName ?? string.Empty };
            mapped.ToolCalls.AddRange(calls);
            request.Messages.Add(mapped);
        }
    }

    private static Role RoleOf(ChatRole role) =>
        role == ChatRole.System ? Role.System
        : role == ChatRole.Assistant ? Role.Assistant
        : role == ChatRole.Tool ? Role.Tool
        : Role.User;

    private static void ApplyOptions(CompleteRequest request, ChatOptions options)
    {
        if (options.Temperature is { } temperature)
        {
            request.Temperature = temperature;
        }

        if (options.MaxOutputTokens is { } max)
        {
            request.MaxTokens = (uint)Math.Max(1, max);
        }

        if (options.ModelId is { } model && model.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && slash < model.Length - 1)
        {
            request.Provider = model[..slash];
            request.Model = model[(slash + 1)..];
        }

        foreach (AITool tool in options.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration function)
            {
                request.Tools.Add(new Tool { Name = function.Name, Description = function.Description ?? string.Empty, ParametersJsonSchema = function.JsonSchema.GetRawText() });
            }
        }

        request.ToolChoice = options.ToolMode switch
        {
            NoneChatToolMode => new ToolChoice { Mode = ToolChoiceMode.None },
            RequiredChatToolMode { RequiredFunctionName: { } name } => new ToolChoice { Mode = ToolChoiceMode.Required, ToolName = name },
            RequiredChatToolMode => new ToolChoice { Mode = ToolChoiceMode.Required },
            AutoChatToolMode => new ToolChoice { Mode = ToolChoiceMode.Auto },
            _ => null,
        };

        if (options.ResponseFormat is ChatResponseFormatJson json)
        {
            // JSON without a schema still asks for one JSON object.
            request.ResponseJsonSchema = json.Schema is { } schema ? schema.GetRawText() : """{"type":"object"}""";
        }

        ApplyRouting(request, options.AdditionalProperties);
    }

    private static void ApplyRouting(CompleteRequest request, AdditionalPropertiesDictionary? properties)
    {
        if (properties is null)
        {
            return;
        }

        if (properties.TryGetValue(CortexChatOptions.Route, out object? route) && route is string routeName)
        {
            request.Route = routeName;
        }

        if (properties.TryGetValue(CortexChatOptions.Tenant, out object? tenant) && tenant is string tenantId)
        {
            request.TenantId = tenantId;
        }

        if (properties.TryGetValue(CortexChatOptions.Task, out object? task))
        {
            request.TaskType = task switch
            {
                TaskType type => type,
                string name => TaskOf(name),
                _ => throw new ArgumentException($"{CortexChatOptions.Task} must be a TaskType or its name", nameof(properties)),
            };
        }
    }

    /// <summary>"error_debugging", "ErrorDebugging" or "TASK_TYPE_ERROR_DEBUGGING".</summary>
    internal static TaskType TaskOf(string name)
    {
        string compact = name.Replace("_", string.Empty, StringComparison.Ordinal);
        if (compact.StartsWith("TASKTYPE", StringComparison.OrdinalIgnoreCase))
        {
            compact = compact[8..];
        }

        foreach (TaskType type in Enum.GetValues<TaskType>())
        {
            if (type != TaskType.Unspecified && string.Equals(type.ToString(), compact, StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        throw new ArgumentException($"unknown task type '{name}'", nameof(name));
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        _ => ValueJson(result),
    };

    private static string ArgumentsJson(IDictionary<string, object?>? arguments) => Json(writer =>
    {
        writer.WriteStartObject();
        foreach ((string name, object? value) in arguments ?? new Dictionary<string, object?>())
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    });

    private static string ValueJson(object value) => Json(writer => WriteValue(writer, value));

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or long or short or byte:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case uint or ulong:
                writer.WriteNumberValue(Convert.ToUInt64(value, CultureInfo.InvariantCulture));
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case double or float when double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)):
                writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            default:
                JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                break;
        }
    }
}
