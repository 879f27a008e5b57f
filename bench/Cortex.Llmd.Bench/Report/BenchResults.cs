using Cortex.Llmd.Bench.Load;

namespace Cortex.Llmd.Bench.Report;

/// <summary>Streaming at c=1: time to first chunk over many short streams, and the rate of a few long ones.</summary>
internal sealed record StreamResult(LatencySummary FirstChunk, double ChunksPerSecond, int ChunksReceived, int ChunksSent, int Errors);

/// <summary>Memory of one gateway process, bytes.</summary>
internal sealed record MemoryResult(long IdleRss, long PeakHwm, long AfterRss);

/// <summary>The long run through the daemon: RSS after every sample interval.</summary>
internal sealed record DriftResult(int Requests, int Concurrency, double PerSecond, int Errors, IReadOnlyList<(long Requests, long Rss)> Samples)
{
    /// <summary>Largest deviation of a later sample from the first one (taken after the first interval, the warm-up), as a fraction.</summary>
    public double Drift => Samples.Count < 2 ? double.NaN : Samples.Skip(1).Max(s => Math.Abs(s.Rss - Samples[0].Rss) / (double)Samples[0].Rss);

    /// <summary>Signed change from the first sample to the last.</summary>
    public double EndChange => Samples.Count < 2 ? double.NaN : (Samples[^1].Rss - Samples[0].Rss) / (double)Samples[0].Rss;
}

/// <summary>The ledger after the run: gRPC Router calls (answered, failed) and OpenAI-door requests, each one row.</summary>
internal sealed record LedgerResult(long Rows, long Answered, long Failed, long OpenAiRequests, long Bytes, string? Error)
{
    public long Calls => Answered + Failed + OpenAiRequests;

    public double BytesPerRow => Rows == 0 ? double.NaN : Bytes / (double)Rows;
}

/// <summary>Everything measured, by target name where there is one per path.</summary>
internal sealed class BenchResults
{
    public required MachineInfo Machine { get; init; }

    public required string Mode { get; init; }

    public required string DaemonBuild { get; init; }

    public required string Durability { get; init; }

    public required string Pinning { get; init; }

    /// <summary>Path names in report order.</summary>
    public List<string> Paths { get; } = [];

    /// <summary>Why a path could not run a phase: (path, phase) → reason.</summary>
    public Dictionary<(string Path, string Phase), string> NotAvailable { get; } = [];

    public Dictionary<string, List<ClosedLoopResult>> Closed { get; } = [];

    public Dictionary<string, OpenLoopResult> Open { get; } = [];

    public Dictionary<string, StreamResult> Streams { get; } = [];

    public Dictionary<string, LatencySummary> Fallback { get; } = [];

    /// <summary>The plain call at c=1 measured right beside the fallback one.</summary>
    public Dictionary<string, LatencySummary> FallbackPlain { get; } = [];

    public Dictionary<string, MemoryResult> Memory { get; } = [];

    public List<TimeSpan> ExecToReady { get; } = [];

    public string? ExecToReadyNote { get; set; }

    public TimeSpan ExecToServing { get; set; }

    public DriftResult? Drift { get; set; }

    public LedgerResult? Ledger { get; set; }

    public int? DaemonExitCode { get; set; }

    public List<string> Notes { get; } = [];

    public TimeSpan Elapsed { get; set; }

    public string? Why(string path, string phase) => NotAvailable.TryGetValue((path, phase), out string? why) ? why : null;
}
