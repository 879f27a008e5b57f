namespace Cortex.Llmd.Tests.Support.Fakes;

/// <summary>
/// What a fake provider server does wrong on one request. Format-specific faults (malformed JSON,
/// empty choices, a refusal) are interpreted by each fake in its own wire format.
/// </summary>
public sealed record ProviderFault
{
    public static readonly ProviderFault None = new();

    /// <summary>Answer with this HTTP status and an error body in the provider's format.</summary>
    public int? Status { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public TimeSpan DelayBeforeHeaders { get; init; }

    public TimeSpan DelayBetweenChunks { get; init; }

    /// <summary>Abort the connection after this many stream events (a reset mid-stream).</summary>
    public int? ResetAfterEvents { get; init; }

    /// <summary>
    /// Stop sending after this many stream events and hold the connection open until the client gives up:
    /// 0 is a stall after the headers, before the first token; more is a stall mid-stream.
    /// </summary>
    public int? StallAfterEvents { get; init; }

    /// <summary>End the response cleanly after this many stream events, without the terminal event.</summary>
    public int? TruncateAfterEvents { get; init; }

    public bool MalformedJson { get; init; }

    public bool EmptyChoices { get; init; }

    /// <summary>Extra response headers, sent with an error or an answer alike (a provider echoing the key, say).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Answer with this text instead of the scripted one (a refusal, say).</summary>
    public string? ReplaceText { get; init; }

    /// <summary>Leave the scripted tool calls out of this answer, as a model does once it has the tool results it asked for.</summary>
    public bool WithoutToolCalls { get; init; }
}
