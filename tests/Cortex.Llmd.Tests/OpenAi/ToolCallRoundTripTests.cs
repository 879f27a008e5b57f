using System.Buffers;
using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.OpenAi;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>
/// Tool calls the way an SDK uses them: the calls of an answer (whole or streamed) are sent back as the
/// assistant turn of the next request, with a tool message answering each, and must read as the same calls.
/// </summary>
public class ToolCallRoundTripTests
{
    private static CompleteResponse Answer()
    {
        var response = new CompleteResponse { RequestId = "req_rt", FinishReason = FinishReason.ToolCalls };
        response.ToolCalls.Add(new ToolCall { Id = "call_1", Name = "get_weather", ArgumentsJson = """{"city":"Oslo","days":[1,2]}""" });
        response.ToolCalls.Add(new ToolCall { Id = "call_2", Name = "get_time", ArgumentsJson = """{"zone":"Europe/Oslo"}""" });
        return response;
    }

    private static ChatCompletionRequest SendBack(string assistantMessageJson, IEnumerable<string> callIds)
    {
        string tools = string.Join(",", callIds.Select(id => $$"""{"role":"tool","tool_call_id":"{{id}}","content":"result of {{id}}"}"""));
        string body = $$"""{"model":"cortex/auto","messages":[{"role":"user","content":"weather and time?"},{{assistantMessageJson}},{{tools}}]}""";
        ChatCompletionReadResult read = ChatCompletionRequestReader.Read(Encoding.UTF8.GetBytes(body));
        Assert.That(read.Succeeded, Is.True, () => read.Error!.Message);
        return read.Value!;
    }

    private static void AssertSameCalls(ChatCompletionRequest next, CompleteResponse answer)
    {
        Message assistant = next.Request.Messages[1];
        Assert.That(assistant.Role, Is.EqualTo(Role.Assistant));
        Assert.That(assistant.ToolCalls, Is.EqualTo(answer.ToolCalls));
        Assert.That(next.Request.Messages.Skip(2).Select(m => m.ToolCallId), Is.EqualTo(answer.ToolCalls.Select(c => c.Id)));
    }

    [Test]
    public void WholeAnswer_SentBack_ReadsAsTheSameCalls()
    {
        CompleteResponse answer = Answer();
        using JsonDocument written = Written.Json(w => ChatCompletionWriter.Write(w, answer, "cortex/auto", 1));
        string message = written.RootElement.GetProperty("choices")[0].GetProperty("message").GetRawText();

        AssertSameCalls(SendBack(message, answer.ToolCalls.Select(c => c.Id)), answer);
    }

    [Test]
    public void StreamedAnswer_JoinedAsAnSdkDoes_ReadsAsTheSameCalls()
    {
        CompleteResponse answer = Answer();
        var writer = new ChatCompletionChunkWriter("req_rt", "cortex/auto", 1, includeUsage: true);
        var buffer = new ArrayBufferWriter<byte>();
        for (int i = 0; i < answer.ToolCalls.Count; i++)
        {
            ToolCall call = answer.ToolCalls[i];
            // Arguments in three pieces, as a provider streams them.
            string args = call.ArgumentsJson;
            int third = args.Length / 3;
            writer.WriteToolCall(buffer, new ToolCallDelta { Index = (uint)i, Id = call.Id, Name = call.Name, ArgumentsDelta = args[..third] });
            writer.WriteToolCall(buffer, new ToolCallDelta { Index = (uint)i, ArgumentsDelta = args[third..(2 * third)] });
            writer.WriteToolCall(buffer, new ToolCallDelta { Index = (uint)i, ArgumentsDelta = args[(2 * third)..] });
        }

        writer.WriteEnd(buffer, new CompleteResponse { RequestId = "req_rt", FinishReason = FinishReason.ToolCalls });
        string message = JoinLikeAnSdk(Encoding.UTF8.GetString(buffer.WrittenSpan));

        AssertSameCalls(SendBack(message, answer.ToolCalls.Select(c => c.Id)), answer);
    }

    /// <summary>The official SDKs' stream accumulation: per index, the first piece's id and name, arguments concatenated.</summary>
    private static string JoinLikeAnSdk(string body)
    {
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Args)>();
        foreach ((string? _, string data) in Written.Frames(body).Where(f => f.Data != "[DONE]"))
        {
            using JsonDocument chunk = JsonDocument.Parse(data);
            foreach (JsonElement choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (!choice.GetProperty("delta").TryGetProperty("tool_calls", out JsonElement pieces))
                {
                    continue;
                }

                foreach (JsonElement piece in pieces.EnumerateArray())
                {
                    int index = piece.GetProperty("index").GetInt32();
                    JsonElement function = piece.GetProperty("function");
                    if (!calls.TryGetValue(index, out var call))
                    {
                        call = (piece.GetProperty("id").GetString()!, function.GetProperty("name").GetString()!, new StringBuilder());
                        calls[index] = call;
                    }

                    call.Args.Append(function.GetProperty("arguments").GetString());
                }
            }
        }

        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("role", "assistant");
            json.WriteNull("content");
            json.WriteStartArray("tool_calls");
            foreach ((string id, string name, StringBuilder args) in calls.Values)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", name);
                json.WriteString("arguments", args.ToString());
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
