using System.Text.Json.Serialization;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>
/// One streamed event of the Messages API, flattened: every event type fills only its own fields, so
/// one source-generated type reads them all. Unknown fields and event types are ignored, which keeps
/// us working when Anthropic adds block or delta types (thinking, server tools).
/// </summary>
internal sealed record AnthropicStreamEvent
{
    public string? Type { get; init; }

    public int? Index { get; init; }

    /// <summary>message_start.</summary>
    public AnthropicWireMessage? Message { get; init; }

    /// <summary>content_block_start.</summary>
    public AnthropicWireBlock? ContentBlock { get; init; }

    /// <summary>content_block_delta (text_delta, input_json_delta) and message_delta (stop_reason).</summary>
    public AnthropicWireDelta? Delta { get; init; }

    /// <summary>message_delta.</summary>
    public AnthropicWireUsage? Usage { get; init; }

    /// <summary>error.</summary>
    public AnthropicWireError? Error { get; init; }
}

internal sealed record AnthropicWireMessage
{
    public AnthropicWireUsage? Usage { get; init; }
}

internal sealed record AnthropicWireBlock
{
    public string? Type { get; init; }

    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Text { get; init; }
}

internal sealed record AnthropicWireDelta
{
    public string? Type { get; init; }

    public string? Text { get; init; }

    public string? PartialJson { get; init; }

    public string? StopReason { get; init; }
}

/// <summary>Token counts; each is optional because message_delta carries only some of them.</summary>
internal sealed record AnthropicWireUsage
{
    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public long? CacheReadInputTokens { get; init; }

    public long? CacheCreationInputTokens { get; init; }
}

/// <summary>The error of a stream "error" event; HTTP error bodies have the same shape.</summary>
internal sealed record AnthropicWireError
{
    public string? Type { get; init; }

    public string? Message { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AnthropicStreamEvent))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
