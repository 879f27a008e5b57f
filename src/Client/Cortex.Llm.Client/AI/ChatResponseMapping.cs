using System.Text.Json;
using Cortex.Llm.V1;
using Microsoft.Extensions.AI;

namespace Cortex.Llm.Client.AI;

/// <summary>The daemon's answers as Microsoft.Extensions.AI's responses and updates.</summary>
internal static class ChatResponseMapping
{
    public static ChatResponse ToResponse(CompleteResponse response)
    {
        var message = new ChatMessage(ChatRole.Assistant, Contents(response.Content, response.ToolCalls)) { MessageId = response.RequestId };
        var result = new ChatResponse(message)
        {
            ResponseId = response.RequestId,
            ModelId = ModelOf(response),
            FinishReason = FinishOf(response.FinishReason),
            Usage = UsageOf(response.Usage),
            AdditionalProperties = Extras(response),
        };
        return result;
    }

    /// <summary>The last update of a stream: the tool calls it assembled, usage, finish reason and ids.</summary>
    public static ChatResponseUpdate FinalUpdate(CompleteResponse final, IEnumerable<V1.ToolCall> calls)
    {
        List<AIContent> contents = Contents(string.Empty, calls);
        contents.Add(new UsageContent(UsageOf(final.Usage)));
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = final.RequestId,
            MessageId = final.RequestId,
            ModelId = ModelOf(final),
            FinishReason = FinishOf(final.FinishReason),
            AdditionalProperties = Extras(final),
        };
    }

    public static UsageDetails UsageOf(Usage? usage)
    {
        usage ??= new Usage();
        // The daemon splits input by price class; the abstraction counts all of it as input.
        long input = (long)(usage.InputTokens + usage.CachedInputTokens + usage.CacheWriteTokens);
        long output = (long)usage.OutputTokens;
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input + output,
            CachedInputTokenCount = (long)usage.CachedInputTokens,
            ReasoningTokenCount = (long)usage.ReasoningTokens,
        };
    }

    private static List<AIContent> Contents(string text, IEnumerable<V1.ToolCall> calls)
    {
        var contents = new List<AIContent>();
        if (text.Length > 0)
        {
            contents.Add(new TextContent(text));
        }

        foreach (V1.ToolCall call in calls)
        {
            contents.Add(new FunctionCallContent(call.Id, call.Name, Arguments(call.ArgumentsJson)));
        }

        return contents;
    }

    /// <summary>Arguments as JSON elements: the abstraction's function invocation binds them by name.</summary>
    private static Dictionary<string, object?> Arguments(string json)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return arguments;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        return arguments;
    }

    private static string? ModelOf(CompleteResponse response) =>
        response.Provider.Length > 0 ? response.Provider + "/" + response.Model : null;

    private static ChatFinishReason? FinishOf(FinishReason reason) => reason switch
    {
        FinishReason.Stop => ChatFinishReason.Stop,
        FinishReason.Length => ChatFinishReason.Length,
        FinishReason.ToolCalls => ChatFinishReason.ToolCalls,
        FinishReason.ContentFilter => ChatFinishReason.ContentFilter,
        _ => null,
    };

    private static AdditionalPropertiesDictionary Extras(CompleteResponse response) => new()
    {
        [CortexChatOptions.RequestId] = response.RequestId,
        [CortexChatOptions.CostNanoUsd] = response.Cost?.NanoUsd ?? 0,
    };
}
