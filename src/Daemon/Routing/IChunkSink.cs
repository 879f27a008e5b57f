using Cortex.Llm.V1;

namespace Cortex.Llmd.Routing;

/// <summary>Where a streaming call's deltas go. Once anything was sent, fallback is no longer possible.</summary>
public interface IChunkSink
{
    ValueTask SendContentAsync(string delta, CancellationToken cancellationToken);

    ValueTask SendToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken);
}
