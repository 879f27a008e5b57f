using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.OpenAi;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>A whole answer as OpenAI's chat.completion object.</summary>
public class ChatCompletionWriterTests
{
    private static CompleteResponse Answer() => new()
    {
        RequestId = "req_abc",
        Content = "Hello",
        Provider = "openai",
        Model = "gpt-4o",
        FinishReason = FinishReason.Stop,
        Usage = new Usage { InputTokens = 70, CachedInputTokens = 20, CacheWriteTokens = 10, OutputTokens = 40, ReasoningTokens = 15 },
    };

    private static JsonDocument Write(CompleteResponse response) =>
        Written.Json(w => ChatCompletionWriter.Write(w, response, "cortex/quality", 1_700_000_000));

    [Test]
    public void Write_TextAnswer_HasOpenAisShape()
    {
        using JsonDocument doc = Write(Answer());
        JsonElement root = doc.RootElement;

        Assert.That(root.GetProperty("id").GetString(), Is.EqualTo("chatcmpl-req_abc"));
        Assert.That(root.GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
        Assert.That(root.GetProperty("created").GetInt64(), Is.EqualTo(1_700_000_000));
        Assert.That(root.GetProperty("model").GetString(), Is.EqualTo("cortex/quality"));
        JsonElement choice = root.GetProperty("choices").EnumerateArray().Single();
        Assert.That(choice.GetProperty("index").GetInt32(), Is.Zero);
        Assert.That(choice.GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
        JsonElement message = choice.GetProperty("message");
        Assert.That(message.GetProperty("role").GetString(), Is.EqualTo("assistant"));
        Assert.That(message.GetProperty("content").GetString(), Is.EqualTo("Hello"));
        Assert.That(message.TryGetProperty("tool_calls", out _), Is.False);
    }

    [Test]
    public void Write_Usage_CountsCachedTokensInsidePromptTokens()
    {
        using JsonDocument doc = Write(Answer());
        JsonElement usage = doc.RootElement.GetProperty("usage");

        Assert.That(usage.GetProperty("prompt_tokens").GetInt64(), Is.EqualTo(100));
        Assert.That(usage.GetProperty("completion_tokens").GetInt64(), Is.EqualTo(40));
        Assert.That(usage.GetProperty("total_tokens").GetInt64(), Is.EqualTo(140));
        Assert.That(usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64(), Is.EqualTo(20));
        Assert.That(usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64(), Is.EqualTo(15));
    }

    [Test]
    public void Write_ToolCallsOnly_HasNullContentAndTheCalls()
    {
        CompleteResponse response = Answer();
        response.Content = string.Empty;
        response.FinishReason = FinishReason.ToolCalls;
        response.ToolCalls.Add(new ToolCall { Id = "call_1", Name = "get_weather", ArgumentsJson = """{"city":"Oslo"}""" });
        response.ToolCalls.Add(new ToolCall { Id = string.Empty, Name = "noop", ArgumentsJson = string.Empty });

        using JsonDocument doc = Write(response);
        JsonElement choice = doc.RootElement.GetProperty("choices")[0];
        JsonElement message = choice.GetProperty("message");

        Assert.That(choice.GetProperty("finish_reason").GetString(), Is.EqualTo("tool_calls"));
        Assert.That(message.GetProperty("content").ValueKind, Is.EqualTo(JsonValueKind.Null));
        JsonElement[] calls = [.. message.GetProperty("tool_calls").EnumerateArray()];
        Assert.That(calls[0].GetProperty("id").GetString(), Is.EqualTo("call_1"));
        Assert.That(calls[0].GetProperty("type").GetString(), Is.EqualTo("function"));
        Assert.That(calls[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
        Assert.That(calls[0].GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("""{"city":"Oslo"}"""));
        Assert.That(calls[1].GetProperty("id").GetString(), Is.EqualTo("call_req_abc_1"), "a missing id is made up, so the caller can answer the call");
        Assert.That(calls[1].GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("{}"));
    }

    [TestCase(FinishReason.Unspecified, "stop")]
    [TestCase(FinishReason.Stop, "stop")]
    [TestCase(FinishReason.Length, "length")]
    [TestCase(FinishReason.ToolCalls, "tool_calls")]
    [TestCase(FinishReason.ContentFilter, "content_filter")]
    public void Write_FinishReason_Maps(FinishReason reason, string expected)
    {
        CompleteResponse response = Answer();
        response.FinishReason = reason;

        using JsonDocument doc = Write(response);

        Assert.That(doc.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void Write_NoUsage_WritesZeros()
    {
        CompleteResponse response = Answer();
        response.Usage = null;

        using JsonDocument doc = Write(response);

        Assert.That(doc.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64(), Is.Zero);
    }

    [Test]
    public void Write_NonAsciiContent_IsWrittenAsUtf8()
    {
        CompleteResponse response = Answer();
        response.Content = "héllo 世界 \"quoted\"\n";

        string text = Written.Text(w => ChatCompletionWriter.Write(w, response, "m", 1));

        Assert.That(text, Does.Contain("héllo 世界"));
        using JsonDocument doc = JsonDocument.Parse(text);
        Assert.That(doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), Is.EqualTo(response.Content));
    }
}
