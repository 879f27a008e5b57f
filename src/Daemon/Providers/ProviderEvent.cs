using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers;

/// <summary>One piece of a streamed answer, in the order providers produce them.</summary>
public abstract record ProviderEvent;

/// <summary>
/// The provider's response headers arrived with this status. Adapters send it before any content, so
/// an attempt stopped early (a refusal in the prefix, a timeout mid-stream) still records the exchange.
/// </summary>
public sealed record ResponseStarted(int HttpStatus) : ProviderEvent;

public sealed record ContentDelta(string Text) : ProviderEvent;

/// <summary>
/// Usage the provider reported before the answer ends: Anthropic's message_start carries the billed
/// input tokens. Budgets reconcile their reservation with it at once instead of at the end.
/// </summary>
public sealed record UsageReported(Usage Usage) : ProviderEvent;

/// <summary>A piece of a tool call; pieces with the same index build one call.</summary>
public sealed record ToolCallPiece(int Index, string? Id, string? Name, string ArgumentsDelta) : ProviderEvent;

/// <summary>The last event of a successful answer.</summary>
public sealed record Completion(FinishReason FinishReason, Usage Usage, int HttpStatus) : ProviderEvent;
