using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Completions;

/// <summary>
/// What a front door hands the completion service besides the request: where streamed pieces go, when
/// the caller gives up, and how the door learns what it reports in its own protocol's metadata.
/// </summary>
public sealed record CompletionContext(string Door, CancellationToken Cancellation)
{
    /// <summary>Receives the answer's pieces as they come; null for a whole answer.</summary>
    public IChunkSink? Sink { get; init; }

    /// <summary>When the caller stops waiting (system clock, as the doors' own deadlines are); null for none.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Called with a budget's name when that budget moved the request to its downgrade route.</summary>
    public Action<string>? OnBudgetDowngrade { get; init; }
}
