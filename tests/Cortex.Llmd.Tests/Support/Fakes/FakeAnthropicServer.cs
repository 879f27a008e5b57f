using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Tests.Support.Fakes;

/// <summary>A content block of a scripted Anthropic answer.</summary>
public abstract record FakeAnthropicBlock;

public sealed record FakeTextBlock(string Text) : FakeAnthropicBlock;

/// <summary>A tool call; its input JSON is streamed in several input_json_delta pieces.</summary>
public sealed record FakeToolUseBlock(string Id, string Name, string InputJson) : FakeAnthropicBlock;

/// <summary>Extended thinking, which is not part of the answer.</summary>
public sealed record FakeThinkingBlock(string Thinking) : FakeAnthropicBlock;

/// <summary>Usage as Anthropic reports it: input_tokens excludes the cache reads and writes.</summary>
public sealed record FakeAnthropicUsage(long InputTokens, long OutputTokens, long CacheReadInputTokens = 0, long CacheCreationInputTokens = 0);

/// <summary>One scripted answer of <see cref="FakeAnthropicServer"/>.</summary>
public sealed record FakeAnthropicAnswer
{
    public IReadOnlyList<FakeAnthropicBlock> Blocks { get; init; } = [new FakeTextBlock("Hello from the fake Anthropic.")];

    public string StopReason { get; init; } = "end_turn";

    public FakeAnthropicUsage Usage { get; init; } = new(25, 15);

    /// <summary>Characters per text_delta or input_json_delta.</summary>
    public int PieceLength { get; init; } = 4;

    /// <summary>Also send the cumulative input and cache counts in message_delta, as newer API versions do.</summary>
    public bool FullUsageInMessageDelta { get; init; }

    /// <summary>Send an "error" event (type, message) right after the first delta, instead of finishing.</summary>
    public (string Type, string Message)? StreamError { get; init; }

    public static FakeAnthropicAnswer Text(string text) => new() { Blocks = [new FakeTextBlock(text)] };
}

/// <summary>
/// A fake Anthropic Messages API: POST .../v1/messages answered with the real SSE event sequence
/// (message_start, content blocks with deltas, pings interleaved, message_delta, message_stop), the
/// real error body shape, and the base class's faults.
/// </summary>
public sealed class FakeAnthropicServer : FakeProviderServer
{
    private readonly ConcurrentQueue<FakeAnthropicAnswer> _answers = new();
    private int _messages;

    private FakeAnthropicServer()
    {
    }

    /// <summary>Used when no scripted answer is queued.</summary>
    public FakeAnthropicAnswer DefaultAnswer { get; set; } = new();

    /// <summary>The message of error bodies; null means a generic one per status.</summary>
    public string? ErrorMessage { get; set; }

    public static async Task<FakeAnthropicServer> StartNewAsync()
    {
        var server = new FakeAnthropicServer();
        await server.StartAsync();
        return server;
    }

    /// <summary>Answers are used one per successful request, in order.</summary>
    public void EnqueueAnswer(params FakeAnthropicAnswer[] answers)
    {
        foreach (FakeAnthropicAnswer answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    protected override async Task HandleAsync(HttpContext context, RecordedRequest request, ProviderFault fault)
    {
        if (request.Method != "POST" || !request.Path.EndsWith("/v1/messages", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 404, "not_found_error", "Not found");
            return;
        }

        if (string.IsNullOrEmpty(request.Header("x-api-key")) || string.IsNullOrEmpty(request.Header("anthropic-version")))
        {
            await WriteErrorAsync(context, 401, "authentication_error", "x-api-key header is required");
            return;
        }

        FakeAnthropicAnswer answer = _answers.TryDequeue(out FakeAnthropicAnswer? a) ? a : DefaultAnswer;
        if (fault.EmptyChoices)
        {
            answer = answer with { Blocks = [] };
        }
        else if (fault.ReplaceText is { } text)
        {
            answer = answer with { Blocks = [new FakeTextBlock(text)], StopReason = answer.StopReason == "tool_use" ? "end_turn" : answer.StopReason };
        }

        string model = request.Json.TryGetProperty("model", out var m) ? m.GetString() ?? "claude" : "claude";
        await WriteSseAsync(context, Events(answer, model, fault.MalformedJson), fault);
    }

    protected override string ErrorBody(int status) => Error(status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    }, ErrorMessage ?? $"fake error for HTTP {status}");

    private static string Error(string type, string message) =>
        new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } }.ToJsonString();

    private static async Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Error(type, message));
    }

    private IEnumerable<(string? Event, string Data)> Events(FakeAnthropicAnswer answer, string model, bool malformed)
    {
        FakeAnthropicUsage usage = answer.Usage;
        var startUsage = new JsonObject
        {
            ["input_tokens"] = usage.InputTokens,
            ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
            ["cache_read_input_tokens"] = usage.CacheReadInputTokens,
            ["output_tokens"] = 1,
        };
        yield return Event("message_start", new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["id"] = "msg_fake_" + Interlocked.Increment(ref _messages),
                ["type"] = "message",
                ["role"] = "assistant",
                ["content"] = new JsonArray(),
                ["model"] = model,
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = startUsage,
            },
        });
        if (malformed)
        {
            yield return ("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":");
        }

        bool first = true;
        for (int index = 0; index < answer.Blocks.Count; index++)
        {
            foreach ((string? Event, string Data) e in Block(index, answer.Blocks[index], answer.PieceLength))
            {
                yield return e;
                if (first && e.Event == "content_block_delta")
                {
                    first = false;
                    if (answer.StreamError is { } error)
                    {
                        yield return ("error", Error(error.Type, error.Message));
                        yield break;
                    }
                }
            }

            yield return Event("ping", new JsonObject());
        }

        JsonObject deltaUsage = answer.FullUsageInMessageDelta
            ? new JsonObject
            {
                ["input_tokens"] = usage.InputTokens,
                ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
                ["cache_read_input_tokens"] = usage.CacheReadInputTokens,
                ["output_tokens"] = usage.OutputTokens,
            }
            : new JsonObject { ["output_tokens"] = usage.OutputTokens };
        yield return Event("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = answer.StopReason, ["stop_sequence"] = null },
            ["usage"] = deltaUsage,
        });
        yield return Event("message_stop", new JsonObject());
    }

    private static IEnumerable<(string? Event, string Data)> Block(int index, FakeAnthropicBlock block, int pieceLength)
    {
        (JsonObject start, string deltaType, string field, string content) = block switch
        {
            FakeTextBlock t => (new JsonObject { ["type"] = "text", ["text"] = string.Empty }, "text_delta", "text", t.Text),
            FakeToolUseBlock u => (new JsonObject { ["type"] = "tool_use", ["id"] = u.Id, ["name"] = u.Name, ["input"] = new JsonObject() }, "input_json_delta", "partial_json", u.InputJson),
            FakeThinkingBlock k => (new JsonObject { ["type"] = "thinking", ["thinking"] = string.Empty }, "thinking_delta", "thinking", k.Thinking),
            _ => throw new ArgumentOutOfRangeException(nameof(block)),
        };
        yield return Event("content_block_start", new JsonObject { ["index"] = index, ["content_block"] = start });
        if (index == 0)
        {
            yield return Event("ping", new JsonObject());
        }

        for (int offset = 0; offset < content.Length; offset += pieceLength)
        {
            string piece = content.Substring(offset, Math.Min(pieceLength, content.Length - offset));
            yield return Event("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = deltaType, [field] = piece } });
        }

        yield return Event("content_block_stop", new JsonObject { ["index"] = index });
    }

    /// <summary>An SSE event whose data repeats its type, as Anthropic's do.</summary>
    private static (string? Event, string Data) Event(string type, JsonObject data)
    {
        var body = new JsonObject { ["type"] = type };
        foreach ((string key, JsonNode? value) in data.ToList())
        {
            data.Remove(key);
            body[key] = value;
        }

        return (type, body.ToJsonString());
    }
}
