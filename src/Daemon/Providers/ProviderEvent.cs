using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers;

/// <summary>One piece of a streamed answer, in the order providers produce them.</summary>
public abstract record ProviderEvent;

public sealed record ContentDelta(string Text) : ProviderEvent;

/// <summary>A piece of a tool call; pieces with the same index build one call.</summary>
public sealed record ToolCallPiece(int Index, string? Id, string? Name, string ArgumentsDelta) : ProviderEvent;

/// <summary>The last event of a successful answer.</summary>
public sealed record Completion(FinishReason FinishReason, Usage Usage, int HttpStatus) : ProviderEvent;
