using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Tests.Support.Fakes;

/// <summary>Where a fake server puts the token counts: each OpenAI-compatible vendor has its own spelling.</summary>
public enum FakeUsageStyle
{
    /// <summary>A last chunk with empty choices and usage with prompt/completion_tokens_details (sent only when include_usage was asked).</summary>
    OpenAi,

    /// <summary>Usage inside the last choice, with a top-level cached_tokens (Moonshot's stream).</summary>
    Moonshot,

    /// <summary>A usage chunk with prompt_cache_hit_tokens / prompt_cache_miss_tokens (DeepSeek).</summary>
    DeepSeek,

    /// <summary>No usage at all.</summary>
    None,
}

public sealed record FakeToolCall(string Id, string Name, string ArgumentsJson);

public sealed record FakeUsage(int Prompt, int Completion, int Cached, int Reasoning)
{
    public static readonly FakeUsage Typical = new(Prompt: 1200, Completion: 300, Cached: 1000, Reasoning: 120);
}

/// <summary>
/// An OpenAI Chat Completions server: streams "data: {chunk}" SSE events ending with "data: [DONE]", the
/// way OpenAI, Moonshot, DeepSeek, vLLM and Ollama's /v1 do; or one chat.completion JSON body.
/// </summary>
public sealed class FakeOpenAiServer : FakeProviderServer
{
    private FakeOpenAiServer(string pathPrefix) => PathPrefix = pathPrefix.Trim('/');

    /// <summary>The path the base URL ends with ("v1", or "api/paas/v4", say).</summary>
    public string PathPrefix { get; }

    /// <summary>The baseUrl to configure: the fake's address plus the path prefix, without a trailing slash.</summary>
    public Uri BaseUrl => new(BaseAddress, PathPrefix);

    /// <summary>Streamed in word-sized content deltas.</summary>
    public string Text { get; set; } = "Hello from the fake server.";

    /// <summary>Sent as delta.refusal instead of content, the way OpenAI reports a refusal.</summary>
    public string? Refusal { get; set; }

    /// <summary>Each call's arguments arrive split over three deltas.</summary>
    public List<FakeToolCall> ToolCalls { get; } = [];

    public FakeUsageStyle UsageStyle { get; set; } = FakeUsageStyle.OpenAi;

    public FakeUsage Usage { get; set; } = FakeUsage.Typical;

    /// <summary>Null: "tool_calls" when calls are scripted, else "stop".</summary>
    public string? FinishReason { get; set; }

    /// <summary>Answer with one application/json chat.completion, as a server that ignores stream=true does.</summary>
    public bool JsonAnswer { get; set; }

    /// <summary>An error object sent as a chunk after the first content delta (a 200 that fails mid-way); a whole answer is this object.</summary>
    public string? StreamErrorJson { get; set; }

    /// <summary>Send <see cref="StreamErrorJson"/> as an "event: error" SSE event rather than a plain data event.</summary>
    public bool StreamErrorAsEvent { get; set; }

    /// <summary>The message of error bodies sent for a status fault.</summary>
    public string ErrorMessage { get; set; } = "The fake server refused the request.";

    public static async Task<FakeOpenAiServer> StartNewAsync(string pathPrefix = "v1")
    {
        var server = new FakeOpenAiServer(pathPrefix);
        await server.StartAsync();
        return server;
    }

    protected override async Task HandleAsync(HttpContext context, RecordedRequest request, ProviderFault fault)
    {
        if (context.Request.Method == "GET" && context.Request.Path == "/" + PathPrefix + "/models")
        {
            // The model list health probes ask for.
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object":"list","data":[{"id":"m1","object":"model"}]}""");
            return;
        }

        if (context.Request.Path != "/" + PathPrefix + "/chat/completions")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"error":{"message":"not found","type":"invalid_request_error"}}""");
            return;
        }

        JsonNode body = JsonNode.Parse(request.Body)!;
        string model = body["model"]?.GetValue<string>() ?? "unknown";
        bool includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        // stream=false gets one chat.completion, as OpenAI sends it; so does every request when JsonAnswer is set.
        if (JsonAnswer || body["stream"]?.GetValue<bool>() == false)
        {
            await WriteJsonAsync(context, JsonParts(model, fault), fault);
            return;
        }

        await WriteSseAsync(context, Chunks(model, includeUsage, fault).Select(c => (c == StreamErrorJson && StreamErrorAsEvent ? "error" : null, c)), fault);
    }

    private IEnumerable<string> Chunks(string model, bool includeUsage, ProviderFault fault)
    {
        bool usageChunk = UsageStyle == FakeUsageStyle.DeepSeek || (UsageStyle == FakeUsageStyle.OpenAi && includeUsage);
        if (fault.EmptyChoices)
        {
            yield return Chunk(model, null, false).ToJsonString();
            yield return Chunk(model, null, false).ToJsonString();
            yield return "[DONE]";
            yield break;
        }

        yield return Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, usageChunk).ToJsonString();
        bool first = true;
        string field = Refusal is not null && fault.ReplaceText is null ? "refusal" : "content";
        foreach (string word in Words(fault.ReplaceText ?? ScriptedText))
        {
            yield return Chunk(model, new JsonObject { [field] = word }, usageChunk).ToJsonString();
            if (first && fault.MalformedJson)
            {
                yield return """{"id":"chatcmpl-fake","choices":[{"index":0,"delta":{"content":"cut""";
            }

            if (first && StreamErrorJson is not null)
            {
                yield return StreamErrorJson;
            }

            first = false;
        }

        foreach (JsonObject delta in ToolCallDeltas(fault))
        {
            yield return Chunk(model, delta, usageChunk).ToJsonString();
        }

        JsonObject last = Chunk(model, new JsonObject(), usageChunk);
        last["choices"]![0]!["finish_reason"] = Finish(fault);
        if (UsageStyle == FakeUsageStyle.Moonshot)
        {
            last["choices"]![0]!["usage"] = UsageJson();
        }

        yield return last.ToJsonString();
        if (usageChunk)
        {
            JsonObject usage = Chunk(model, null, false);
            usage["usage"] = UsageJson();
            yield return usage.ToJsonString();
        }

        yield return "[DONE]";
    }

    private string Finish(ProviderFault fault) => FinishReason ?? (CallsTools(fault) ? "tool_calls" : "stop");

    private bool CallsTools(ProviderFault fault) => ToolCalls.Count > 0 && !fault.WithoutToolCalls;

    private string ScriptedText => Refusal ?? Text;

    private IEnumerable<JsonObject> ToolCallDeltas(ProviderFault fault)
    {
        if (!CallsTools(fault))
        {
            yield break;
        }

        for (int i = 0; i < ToolCalls.Count; i++)
        {
            FakeToolCall call = ToolCalls[i];
            yield return ToolDelta(new JsonObject
            {
                ["index"] = i,
                ["id"] = call.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = string.Empty },
            });
            int third = Math.Max(1, call.ArgumentsJson.Length / 3);
            for (int start = 0; start < call.ArgumentsJson.Length; start += third)
            {
                string piece = call.ArgumentsJson.Substring(start, Math.Min(third, call.ArgumentsJson.Length - start));
                yield return ToolDelta(new JsonObject { ["index"] = i, ["function"] = new JsonObject { ["arguments"] = piece } });
            }
        }
    }

    private static JsonObject ToolDelta(JsonObject call) => new() { ["tool_calls"] = new JsonArray(call) };

    /// <summary>A chunk with one choice carrying <paramref name="delta"/>, or with empty choices when it is null.</summary>
    private static JsonObject Chunk(string model, JsonObject? delta, bool nullUsage)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_763_769_600,
            ["model"] = model,
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = null }),
        };
        if (nullUsage)
        {
            // With include_usage OpenAI sends "usage": null on every chunk but the last.
            chunk["usage"] = null;
        }

        return chunk;
    }

    /// <summary>
    /// The answer's JSON text in three parts, so that stream faults (a reset, a stall, a cut after N
    /// events) hit a whole answer part-way through as well; a malformed answer breaks after the first part.
    /// </summary>
    private IEnumerable<string> JsonParts(string model, ProviderFault fault)
    {
        // A 200 whose body is an error object, as OpenRouter-style servers answer a failed whole answer.
        string text = StreamErrorJson ?? Completion(model, fault).ToJsonString();
        int third = Math.Max(1, text.Length / 3);
        yield return text[..third];
        if (fault.MalformedJson)
        {
            yield return "\"cut";
            yield break;
        }

        yield return text[third..(2 * third)];
        yield return text[(2 * third)..];
    }

    private JsonObject Completion(string model, ProviderFault fault)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = fault.ReplaceText ?? ScriptedText };
        if (CallsTools(fault))
        {
            message["tool_calls"] = new JsonArray(ToolCalls.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            }).ToArray());
        }

        var choices = fault.EmptyChoices ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = Finish(fault) });
        var completion = new JsonObject { ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["model"] = model, ["choices"] = choices };
        if (UsageStyle != FakeUsageStyle.None)
        {
            completion["usage"] = UsageJson();
        }

        return completion;
    }

    private JsonObject UsageJson()
    {
        FakeUsage u = Usage;
        var usage = new JsonObject { ["prompt_tokens"] = u.Prompt, ["completion_tokens"] = u.Completion, ["total_tokens"] = u.Prompt + u.Completion };
        switch (UsageStyle)
        {
            case FakeUsageStyle.Moonshot:
                usage["cached_tokens"] = u.Cached;
                break;
            case FakeUsageStyle.DeepSeek:
                usage["prompt_cache_hit_tokens"] = u.Cached;
                usage["prompt_cache_miss_tokens"] = u.Prompt - u.Cached;
                usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = u.Reasoning };
                break;
            default:
                usage["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = u.Cached, ["audio_tokens"] = 0 };
                usage["completion_tokens_details"] = new JsonObject
                {
                    ["reasoning_tokens"] = u.Reasoning,
                    ["audio_tokens"] = 0,
                    ["accepted_prediction_tokens"] = 0,
                    ["rejected_prediction_tokens"] = 0,
                };
                break;
        }

        return usage;
    }

    /// <summary>Word-sized pieces that concatenate back to the text.</summary>
    public static IEnumerable<string> Words(string text)
    {
        int start = 0;
        while (start < text.Length)
        {
            int space = text.IndexOf(' ', start);
            int end = space < 0 ? text.Length : space + 1;
            yield return text[start..end];
            start = end;
        }
    }

    protected override string ErrorBody(int status) => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["message"] = ErrorMessage,
            ["type"] = status switch
            {
                401 => "invalid_request_error",
                429 => "rate_limit_exceeded",
                >= 500 => "server_error",
                _ => "invalid_request_error",
            },
            ["param"] = null,
            ["code"] = status == 401 ? "invalid_api_key" : null,
        },
    }.ToJsonString();
}
