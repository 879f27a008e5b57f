using System.Buffers;
using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// A whole answer as OpenAI's <c>chat.completion</c> object. <c>model</c> echoes the id the caller sent
/// (cortex/quality, openai/gpt-4o): a stream's first chunk leaves before the answering target is known,
/// and both modes should say the same. Which target answered is in the x-cortex-provider and
/// x-cortex-model headers.
/// </summary>
public static class ChatCompletionWriter
{
    public static void Write(IBufferWriter<byte> output, CompleteResponse response, string requestedModel, long createdUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(requestedModel);
        using Utf8JsonWriter json = OpenAiJson.Writer(output);
        json.WriteStartObject();
        ChatCompletionParts.WriteHeader(json, ChatCompletionParts.CompletionId(response.RequestId), "chat.completion", createdUnixSeconds, requestedModel);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        WriteMessage(json, response);
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", ChatCompletionParts.FinishReasonName(response.FinishReason));
        json.WriteEndObject();
        json.WriteEndArray();
        ChatCompletionParts.WriteUsage(json, response.Usage);
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, CompleteResponse response)
    {
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        if (response.Content.Length == 0 && response.ToolCalls.Count > 0)
        {
            // OpenAI's form for an answer that only calls tools.
            json.WriteNull("content");
        }
        else
        {
            json.WriteString("content", response.Content);
        }

        json.WriteNull("refusal");
        if (response.ToolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            for (int i = 0; i < response.ToolCalls.Count; i++)
            {
                ToolCall call = response.ToolCalls[i];
                json.WriteStartObject();
                ChatCompletionParts.WriteToolCall(json, ToolCallIds.Of(call.Id, response.RequestId, i), call.Name, ToolCallIds.Arguments(call.ArgumentsJson));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }
}

/// <summary>Fills what a provider may leave empty but OpenAI's shape requires.</summary>
internal static class ToolCallIds
{
    /// <summary>
    /// The provider's call id, or one made from the request id and the call's position: the caller must
    /// echo an id in its tool message, so an empty one would break the round trip.
    /// </summary>
    public static string Of(string id, string requestId, int index) =>
        id.Length > 0 ? id : "call_" + requestId + "_" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"{}" for a call without arguments: the SDKs parse the arguments and "" is not JSON.</summary>
    public static string Arguments(string json) => json.Length == 0 ? "{}" : json;
}
