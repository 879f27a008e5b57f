namespace Cortex.Llmd.Bench.Targets;

/// <summary>What a call asks for; every path gets the same conversation and the same upstream answer.</summary>
internal enum Workload
{
    /// <summary>One non-streaming completion answered by the mock's "bench" model (five words).</summary>
    Plain,

    /// <summary>A first target that answers HTTP 500, then the plain one.</summary>
    Fallback,

    /// <summary>The plain answer, streamed.</summary>
    ShortStream,

    /// <summary>A stream of <see cref="Conversation.LongChunks"/> content chunks.</summary>
    LongStream,
}

/// <summary>How one streamed call went; timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
internal readonly record struct StreamOutcome(bool Ok, long FirstChunk, long End, int Chunks)
{
    public static readonly StreamOutcome Failed = new(false, 0, 0, 0);
}

/// <summary>One way of reaching the mock: directly, through cortex-llmd, through Portkey.</summary>
internal interface ITarget : IAsyncDisposable
{
    /// <summary>The row label in the report.</summary>
    string Name { get; }

    /// <summary>The gateway process whose CPU and memory are measured; null for the direct path.</summary>
    int? GatewayPid { get; }

    /// <summary>Null when the workload can be run; otherwise why not (shown as n/a in the report).</summary>
    string? Unsupported(Workload workload);

    /// <summary>One plain call whose answer is returned as text (the whole HTTP body, or the gRPC content), to check the path works.</summary>
    ValueTask<string> SampleAsync(CancellationToken cancellationToken);

    /// <summary>One non-streaming call (<see cref="Workload.Plain"/> or <see cref="Workload.Fallback"/>); false on any failure.</summary>
    ValueTask<bool> CompleteAsync(Workload workload, CancellationToken cancellationToken);

    /// <summary>One streamed call (<see cref="Workload.ShortStream"/> or <see cref="Workload.LongStream"/>).</summary>
    ValueTask<StreamOutcome> StreamAsync(Workload workload, CancellationToken cancellationToken);
}
