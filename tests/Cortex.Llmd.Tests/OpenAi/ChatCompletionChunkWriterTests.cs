using System.Buffers;
using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.OpenAi;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>A stream as OpenAI's SSE chunks: role, deltas, finish, usage when asked, [DONE] or an error event.</summary>
public class ChatCompletionChunkWriterTests
{
    private static CompleteResponse Final(FinishReason reason = FinishReason.Stop) => new()
    {
        RequestId = "req_s",
        Provider = "mock",
        Model = "mock-1",
        FinishReason = reason,
        Usage = new Usage { InputTokens = 5, CachedInputTokens = 3, OutputTokens = 7, ReasoningTokens = 2 },
    };

    private static (List<(string? Event, string Data)> Frames, ChatCompletionChunkWriter Writer) Stream(bool includeUsage, Action<ChatCompletionChunkWriter, IBufferWriter<byte>> write)
    {
        var writer = new ChatCompletionChunkWriter("req_s", "cortex/fast", 1_700_000_001, includeUsage);
        var buffer = new ArrayBufferWriter<byte>();
        write(writer, buffer);
        return (Written.Frames(Encoding.UTF8.GetString(buffer.WrittenSpan)), writer);
    }

    private static JsonElement Delta(string data) => JsonDocument.Parse(data).RootElement.GetProperty("choices")[0].GetProperty("delta");

    [Test]
    public void Write_TextStream_RoleContentFinishDone()
    {
        var (frames, writer) = Stream(false, (s, w) =>
        {
            s.Write(w, new CompleteChunk { ContentDelta = "Hel" });
            s.Write(w, new CompleteChunk { ContentDelta = "lo" });
            s.Write(w, new CompleteChunk { Final = Final() });
        });

        Assert.That(frames.Select(f => f.Event), Is.All.Null);
        Assert.That(frames, Has.Count.EqualTo(5));
        using JsonDocument first = JsonDocument.Parse(frames[0].Data);
        JsonElement root = first.RootElement;
        Assert.That(root.GetProperty("id").GetString(), Is.EqualTo("chatcmpl-req_s"));
        Assert.That(root.GetProperty("object").GetString(), Is.EqualTo("chat.completion.chunk"));
        Assert.That(root.GetProperty("created").GetInt64(), Is.EqualTo(1_700_000_001));
        Assert.That(root.GetProperty("model").GetString(), Is.EqualTo("cortex/fast"));
        Assert.That(root.TryGetProperty("usage", out _), Is.False, "no usage field without include_usage");
        Assert.That(Delta(frames[0].Data).GetProperty("role").GetString(), Is.EqualTo("assistant"));
        Assert.That(Delta(frames[0].Data).GetProperty("content").GetString(), Is.Empty);
        Assert.That(Delta(frames[1].Data).GetProperty("content").GetString(), Is.EqualTo("Hel"));
        Assert.That(Delta(frames[2].Data).GetProperty("content").GetString(), Is.EqualTo("lo"));
        using JsonDocument finish = JsonDocument.Parse(frames[3].Data);
        Assert.That(finish.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
        Assert.That(Delta(frames[3].Data).EnumerateObject(), Is.Empty);
        Assert.That(frames[4].Data, Is.EqualTo("[DONE]"));
        Assert.That(writer.Finished, Is.True);
    }

    [Test]
    public void Write_IncludeUsage_NullUsageOnEveryChunkThenAUsageChunk()
    {
        var (frames, _) = Stream(true, (s, w) =>
        {
            s.WriteContent(w, "Hi");
            s.WriteEnd(w, Final());
        });

        Assert.That(frames, Has.Count.EqualTo(5));
        foreach ((string? _, string data) in frames.Take(3))
        {
            using JsonDocument chunk = JsonDocument.Parse(data);
            Assert.That(chunk.RootElement.GetProperty("usage").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }

        using JsonDocument usageChunk = JsonDocument.Parse(frames[3].Data);
        Assert.That(usageChunk.RootElement.GetProperty("choices").GetArrayLength(), Is.Zero);
        JsonElement usage = usageChunk.RootElement.GetProperty("usage");
        Assert.That(usage.GetProperty("prompt_tokens").GetInt64(), Is.EqualTo(8));
        Assert.That(usage.GetProperty("completion_tokens").GetInt64(), Is.EqualTo(7));
        Assert.That(usage.GetProperty("total_tokens").GetInt64(), Is.EqualTo(15));
        Assert.That(usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64(), Is.EqualTo(3));
        Assert.That(usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64(), Is.EqualTo(2));
        Assert.That(frames[4].Data, Is.EqualTo("[DONE]"));
    }

    [Test]
    public void Write_ToolCallPieces_FirstPieceCarriesIdTypeAndName()
    {
        var (frames, _) = Stream(false, (s, w) =>
        {
            s.WriteToolCall(w, new ToolCallDelta { Index = 0, Id = "call_a", Name = "get_weather", ArgumentsDelta = "{\"ci" });
            s.WriteToolCall(w, new ToolCallDelta { Index = 0, ArgumentsDelta = "ty\":\"Oslo\"}" });
            s.WriteToolCall(w, new ToolCallDelta { Index = 1, Name = "noop", ArgumentsDelta = string.Empty });
            s.WriteEnd(w, Final(FinishReason.ToolCalls));
        });

        JsonElement first = Delta(frames[1].Data).GetProperty("tool_calls")[0];
        Assert.That(first.GetProperty("index").GetInt32(), Is.Zero);
        Assert.That(first.GetProperty("id").GetString(), Is.EqualTo("call_a"));
        Assert.That(first.GetProperty("type").GetString(), Is.EqualTo("function"));
        Assert.That(first.GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
        Assert.That(first.GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("{\"ci"));
        JsonElement second = Delta(frames[2].Data).GetProperty("tool_calls")[0];
        Assert.That(second.TryGetProperty("id", out _), Is.False);
        Assert.That(second.GetProperty("function").TryGetProperty("name", out _), Is.False);
        Assert.That(second.GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("ty\":\"Oslo\"}"));
        JsonElement third = Delta(frames[3].Data).GetProperty("tool_calls")[0];
        Assert.That(third.GetProperty("index").GetInt32(), Is.EqualTo(1));
        Assert.That(third.GetProperty("id").GetString(), Is.EqualTo("call_req_s_1"));
        using JsonDocument finish = JsonDocument.Parse(frames[4].Data);
        Assert.That(finish.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("tool_calls"));
    }

    [Test]
    public void Write_FinalWithCallsNotStreamed_SendsThemBeforeTheFinish()
    {
        CompleteResponse final = Final(FinishReason.ToolCalls);
        final.ToolCalls.Add(new ToolCall { Id = "call_z", Name = "f", ArgumentsJson = "{\"a\":1}" });

        var (frames, _) = Stream(false, (s, w) => s.WriteEnd(w, final));

        Assert.That(frames, Has.Count.EqualTo(4));
        JsonElement call = Delta(frames[1].Data).GetProperty("tool_calls")[0];
        Assert.That(call.GetProperty("id").GetString(), Is.EqualTo("call_z"));
        Assert.That(call.GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("{\"a\":1}"));
    }

    [Test]
    public void Write_EmptyContentDelta_WritesNoFrame()
    {
        var (frames, _) = Stream(false, (s, w) => s.WriteContent(w, string.Empty));

        Assert.That(frames, Has.Count.EqualTo(1));
    }

    [Test]
    public void WriteError_AfterContent_IsAnErrorEventWithoutDone()
    {
        var (frames, writer) = Stream(false, (s, w) =>
        {
            s.WriteContent(w, "partial");
            s.WriteError(w, OpenAiErrors.From(new RouterException(RouterErrorCode.StreamInterrupted, "mock/mock-1 failed after the stream started: reset")));
        });

        Assert.That(frames, Has.Count.EqualTo(3));
        Assert.That(frames[2].Event, Is.EqualTo("error"));
        using JsonDocument error = JsonDocument.Parse(frames[2].Data);
        Assert.That(error.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("failed after the stream started"));
        Assert.That(error.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("stream_interrupted"));
        Assert.That(frames.Select(f => f.Data), Has.None.EqualTo("[DONE]"));
        Assert.That(writer.Finished, Is.True);
    }

    [Test]
    public void Write_AfterTheEnd_Throws()
    {
        var writer = new ChatCompletionChunkWriter("r", "m", 1, false);
        var buffer = new ArrayBufferWriter<byte>();
        writer.WriteEnd(buffer, Final());

        Assert.That(() => writer.WriteContent(buffer, "late"), Throws.InvalidOperationException);
    }

    [Test]
    public void WriteStart_Twice_WritesOneRoleFrame()
    {
        var (frames, writer) = Stream(false, (s, w) =>
        {
            s.WriteStart(w);
            s.WriteStart(w);
        });

        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(writer.Started, Is.True);
    }

    [Test]
    public void Write_ContentWithNewlines_StaysOnOneDataLine()
    {
        var (frames, _) = Stream(false, (s, w) => s.WriteContent(w, "line one\n\nline two\r\n"));

        Assert.That(Delta(frames[1].Data).GetProperty("content").GetString(), Is.EqualTo("line one\n\nline two\r\n"));
    }
}
