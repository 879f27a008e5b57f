using Cortex.Llm.V1;

namespace Cortex.Llmd.Routing;

/// <summary>What a request needs from a target, estimated once per request.</summary>
public sealed record RequestFacts(bool Streaming, bool NeedsTools, bool NeedsJsonSchema, long EstimatedInputTokens, long EstimatedOutputTokens, long RequiredContext)
{
    // Roughly 4 characters per token for English text and code; good enough to rule out hopeless targets.
    private const int CharsPerToken = 4;
    private const long DefaultOutputEstimate = 1024;

    public static RequestFacts Of(CompleteRequest request, bool streaming)
    {
        long chars = 0;
        foreach (Message message in request.Messages)
        {
            chars += message.Content.Length;
            foreach (ToolCall call in message.ToolCalls)
            {
                chars += call.Name.Length + call.ArgumentsJson.Length;
            }
        }

        foreach (Tool tool in request.Tools)
        {
            chars += tool.Name.Length + tool.Description.Length + tool.ParametersJsonSchema.Length;
        }

        chars += request.ResponseJsonSchema.Length;
        long input = (chars + CharsPerToken - 1) / CharsPerToken;
        bool toolsUsable = request.Tools.Count > 0 && request.ToolChoice?.Mode != ToolChoiceMode.None;
        return new RequestFacts(
            streaming,
            toolsUsable,
            request.ResponseJsonSchema.Length > 0,
            input,
            request.MaxTokens ?? DefaultOutputEstimate,
            input + (request.MaxTokens ?? 0));
    }
}
