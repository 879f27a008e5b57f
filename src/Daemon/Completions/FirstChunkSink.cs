using Cortex.Llm.V1;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Completions;

/// <summary>Passes chunks through and notes when the first one went out (time to first token).</summary>
public sealed class FirstChunkSink(IChunkSink inner, TimeProvider timeProvider) : IChunkSink
{
    private long _firstChunkAt;

    /// <summary>Timestamp (TimeProvider ticks) of the first chunk sent; null when none was.</summary>
    public long? FirstChunkAt => Interlocked.Read(ref _firstChunkAt) is var t && t != 0 ? t : null;

    public ValueTask SendContentAsync(string delta, CancellationToken cancellationToken)
    {
        Mark();
        return inner.SendContentAsync(delta, cancellationToken);
    }

    public ValueTask SendToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken)
    {
        Mark();
        return inner.SendToolCallAsync(delta, cancellationToken);
    }

    private void Mark() => Interlocked.CompareExchange(ref _firstChunkAt, timeProvider.GetTimestamp(), 0);
}
