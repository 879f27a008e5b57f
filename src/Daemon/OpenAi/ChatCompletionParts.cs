using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.OpenAi;

/// <summary>What the whole answer and the stream's chunks write alike: ids, finish reasons and usage.</summary>
internal static class ChatCompletionParts
{
    /// <summary>"chatcmpl-" and the request id, so an answer is found in the ledger by its id.</summary>
    public static string CompletionId(string requestId) => "chatcmpl-" + requestId;

    public static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        FinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };

    public static void WriteHeader(Utf8JsonWriter json, string id, string kind, long created, string model)
    {
        json.WriteString("id", id);
        json.WriteString("object", kind);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    /// <summary>
    /// OpenAI's prompt_tokens include cached tokens, while the core counts cached and cache-write tokens
    /// apart from input_tokens, so all three are summed. completion_tokens include reasoning tokens on
    /// both sides.
    /// </summary>
    public static void WriteUsage(Utf8JsonWriter json, Usage? usage)
    {
        usage ??= new Usage();
        ulong prompt = usage.InputTokens + usage.CachedInputTokens + usage.CacheWriteTokens;
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", prompt);
        json.WriteNumber("completion_tokens", usage.OutputTokens);
        json.WriteNumber("total_tokens", prompt + usage.OutputTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedInputTokens);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details");
        json.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>One whole call: id, type and the function with its arguments as JSON text.</summary>
    public static void WriteToolCall(Utf8JsonWriter json, string id, string name, string arguments)
    {
        json.WriteString("id", id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", name);
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
    }
}
