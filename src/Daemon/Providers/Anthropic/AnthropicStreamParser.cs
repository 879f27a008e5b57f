using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>
/// Turns the Messages API event stream into provider events. It keeps the little state the stream
/// needs: which content blocks are tool calls (and their ordinal, our tool-call index), the usage so
/// far, and the stop reason, until message_stop completes the answer.
/// </summary>
internal sealed class AnthropicStreamParser(string provider, ApiKey key)
{
    /// <summary>Content block index → tool-call ordinal and whether any argument text came.</summary>
    private readonly Dictionary<int, ToolBlock> _tools = [];
    private readonly Usage _usage = new();
    private int _answerBlocks;
    private string? _stopReason;

    public bool Finished { get; private set; }

    /// <summary>Reads one server-sent event; the events it produces are appended to <paramref name="output"/>.</summary>
    public void Accept(SseEvent sse, List<ProviderEvent> output)
    {
        AnthropicStreamEvent ev = Parse(sse.Data);
        switch (ev.Type ?? sse.Event)
        {
            case "message_start":
                ApplyUsage(ev.Message?.Usage);
                if (ev.Message?.Usage?.InputTokens is not null)
                {
                    // The input is billed from here on, whatever happens to the rest of the stream.
                    output.Add(new UsageReported(_usage.Clone()));
                }

                break;
            case "content_block_start":
                StartBlock(ev, output);
                break;
            case "content_block_delta":
                BlockDelta(ev, output);
                break;
            case "content_block_stop":
                StopBlock(ev, output);
                break;
            case "message_delta":
                _stopReason = ev.Delta?.StopReason ?? _stopReason;
                ApplyUsage(ev.Usage);
                break;
            case "message_stop":
                Finish(output);
                break;
            case "error":
                throw AnthropicErrors.FromStreamError(provider, ev.Error, key);
            default:
                // ping, and event types newer than this code.
                break;
        }
    }

    private AnthropicStreamEvent Parse(string data)
    {
        try
        {
            return JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.AnthropicStreamEvent)
                ?? throw new JsonException("null event");
        }
        catch (JsonException)
        {
            throw new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider}: malformed JSON in the answer stream", 200);
        }
    }

    private void StartBlock(AnthropicStreamEvent ev, List<ProviderEvent> output)
    {
        AnthropicWireBlock? block = ev.ContentBlock;
        switch (block?.Type)
        {
            case "text":
                _answerBlocks++;
                if (!string.IsNullOrEmpty(block.Text))
                {
                    output.Add(new ContentDelta(block.Text));
                }

                break;
            case "tool_use":
                _answerBlocks++;
                var tool = new ToolBlock(_tools.Count);
                _tools[BlockIndex(ev)] = tool;
                output.Add(new ToolCallPiece(tool.Ordinal, block.Id, block.Name, string.Empty));
                break;
            default:
                // thinking, redacted_thinking and server-tool blocks are not part of our answer.
                break;
        }
    }

    private void BlockDelta(AnthropicStreamEvent ev, List<ProviderEvent> output)
    {
        AnthropicWireDelta? delta = ev.Delta;
        switch (delta?.Type)
        {
            case "text_delta" when !string.IsNullOrEmpty(delta.Text):
                output.Add(new ContentDelta(delta.Text));
                break;
            case "input_json_delta" when !string.IsNullOrEmpty(delta.PartialJson):
                if (!_tools.TryGetValue(BlockIndex(ev), out ToolBlock? tool))
                {
                    throw new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider}: tool input for a content block that is not a tool call", 200);
                }

                tool.HasArguments = true;
                output.Add(new ToolCallPiece(tool.Ordinal, null, null, delta.PartialJson));
                break;
            default:
                break;
        }
    }

    private void StopBlock(AnthropicStreamEvent ev, List<ProviderEvent> output)
    {
        // A call without parameters streams no input at all; OpenAI form wants "{}", not "".
        if (_tools.TryGetValue(BlockIndex(ev), out ToolBlock? tool) && !tool.HasArguments)
        {
            tool.HasArguments = true;
            output.Add(new ToolCallPiece(tool.Ordinal, null, null, "{}"));
        }
    }

    private void Finish(List<ProviderEvent> output)
    {
        if (_answerBlocks == 0)
        {
            throw new ProviderException(ProviderErrorKind.InvalidAnswer, $"{provider}: empty answer (no content blocks)", 200);
        }

        Finished = true;
        output.Add(new Completion(AnthropicStopReason.ToFinishReason(_stopReason), _usage.Clone(), 200));
    }

    /// <summary>
    /// message_start carries the input side and a first output count; message_delta carries the final,
    /// cumulative output count (and, in newer API versions, cumulative input counts). The latest wins.
    /// Anthropic's input_tokens already excludes cache reads and writes, as our Usage does.
    /// </summary>
    private void ApplyUsage(AnthropicWireUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        _usage.InputTokens = Count(usage.InputTokens, _usage.InputTokens);
        _usage.CachedInputTokens = Count(usage.CacheReadInputTokens, _usage.CachedInputTokens);
        _usage.CacheWriteTokens = Count(usage.CacheCreationInputTokens, _usage.CacheWriteTokens);
        _usage.OutputTokens = Count(usage.OutputTokens, _usage.OutputTokens);
    }

    private static ulong Count(long? value, ulong current) => value is long v ? (ulong)Math.Max(0, v) : current;

    private int BlockIndex(AnthropicStreamEvent ev) =>
        ev.Index ?? throw new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider}: content block event without an index", 200);

    private sealed class ToolBlock(int ordinal)
    {
        public int Ordinal { get; } = ordinal;

        public bool HasArguments { get; set; }
    }
}
