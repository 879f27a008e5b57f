using Cortex.Llm.V1;
using Cortex.Llmd.Errors;

namespace Cortex.Llmd.Routing;

/// <summary>Checks a request before anything is planned or billed; each problem is an invalid request.</summary>
public sealed class RequestValidator(Validation.SchemaCache schemas)
{
    public void Validate(CompleteRequest request)
    {
        if (!Enum.IsDefined(request.TaskType))
        {
            Fail($"unknown task type {(int)request.TaskType}");
        }

        if (request.Messages.Count == 0)
        {
            Fail("messages must not be empty");
        }

        for (int i = 0; i < request.Messages.Count; i++)
        {
            Message message = request.Messages[i];
            if (!Enum.IsDefined(message.Role) || message.Role == Role.Unspecified)
            {
                Fail($"messages[{i}].role must be ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL");
            }

            if (message.Role == Role.Tool && message.ToolCallId.Length == 0)
            {
                Fail($"messages[{i}] has role ROLE_TOOL but no tool_call_id");
            }
        }

        if (request.Temperature is { } t && (double.IsNaN(t) || t < 0 || t > 2))
        {
            Fail("temperature must be between 0 and 2");
        }

        if (request.MaxTokens == 0)
        {
            Fail("max_tokens must be positive when set");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < request.Tools.Count; i++)
        {
            if (request.Tools[i].Name.Length == 0 || !names.Add(request.Tools[i].Name))
            {
                Fail($"tools[{i}].name must be non-empty and unique");
            }
        }

        if (request.ToolChoice is { ToolName.Length: > 0 } choice && !names.Contains(choice.ToolName))
        {
            Fail($"tool_choice names {Quote.Of(choice.ToolName)}, which is not among the tools");
        }

        if (request.ResponseJsonSchema.Length > 0)
        {
            try
            {
                // Compiled before any provider is paid: a schema we cannot check must not be silently ignored.
                schemas.Get(request.ResponseJsonSchema);
            }
            catch (Validation.JsonSchema.SchemaException ex)
            {
                Fail("response_json_schema: " + Quote.Clip(ex.Message, Quote.MaxChars * 2));
            }
        }
    }

    private static void Fail(string detail) => throw new RouterException(RouterErrorCode.InvalidRequest, detail);
}
