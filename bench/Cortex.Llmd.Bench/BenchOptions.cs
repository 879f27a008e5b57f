using System.Globalization;

namespace Cortex.Llmd.Bench;

/// <summary>The command line: sizes of every phase, with --quick giving small ones for development.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: bench [--quick] [--durability crash|power] [--daemon PATH] [--no-pin] [--skip-portkey]
                     [--requests N] [--concurrency 1,16,64,256] [--max-seconds S] [--rate N] [--open-seconds S] [--long-run N] [--sample-every N]
                     [--stream-calls N] [--long-chunks N] [--fallback-calls N] [--output PATH]
               bench mock --port N
        """;

    public bool Quick { get; init; }

    /// <summary>null: not given (crash, the daemon's default; the key is not written, see DaemonConfig).</summary>
    public string? Durability { get; init; }

    public string? Daemon { get; init; }

    public bool NoPin { get; init; }

    public bool SkipPortkey { get; init; }

    /// <summary>Measured calls per path and concurrency in the closed loop.</summary>
    public int Requests { get; init; } = 20_000;

    /// <summary>Longest one closed-loop level may run for one path; a slower path gets fewer calls.</summary>
    public double MaxSeconds { get; init; } = 60;

    public int[] Concurrency { get; init; } = [1, 16, 64, 256];

    public int OpenRate { get; init; } = 1_000;

    public double OpenSeconds { get; init; } = 30;

    /// <summary>Calls of the long run through the daemon, RSS sampled every <see cref="SampleEvery"/>.</summary>
    public int LongRun { get; init; } = 1_000_000;

    public int SampleEvery { get; init; } = 100_000;

    public int LongRunConcurrency { get; init; } = 16;

    public int StreamCalls { get; init; } = 2_000;

    public int LongChunks { get; init; } = 20_000;

    public int LongStreams { get; init; } = 5;

    public int FallbackCalls { get; init; } = 5_000;

    public string? Output { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        BenchOptions options = args.Contains("--quick") ? QuickDefaults() : new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value\n{Usage}");
            int Int() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            options = arg switch
            {
                "--quick" => options,
                "--durability" => options with { Durability = DurabilityMode(Next()) },
                "--daemon" => options with { Daemon = Next() },
                "--no-pin" => options with { NoPin = true },
                "--skip-portkey" => options with { SkipPortkey = true },
                "--requests" => options with { Requests = Int() },
                "--concurrency" => options with { Concurrency = [.. Next().Split(',').Select(c => int.Parse(c, NumberStyles.None, CultureInfo.InvariantCulture))] },
                "--max-seconds" => options with { MaxSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rate" => options with { OpenRate = Int() },
                "--open-seconds" => options with { OpenSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--long-run" => options with { LongRun = Int() },
                "--sample-every" => options with { SampleEvery = Int() },
                "--stream-calls" => options with { StreamCalls = Int() },
                "--long-chunks" => options with { LongChunks = Int() },
                "--fallback-calls" => options with { FallbackCalls = Int() },
                "--output" => options with { Output = Next() },
                _ => throw new ArgumentException($"unknown option {arg}\n{Usage}"),
            };
        }

        return options;
    }

    private static BenchOptions QuickDefaults() => new()
    {
        Quick = true,
        Requests = 2_000,
        MaxSeconds = 15,
        OpenSeconds = 5,
        LongRun = 20_000,
        SampleEvery = 5_000,
        StreamCalls = 200,
        LongChunks = 2_000,
        LongStreams = 3,
        FallbackCalls = 500,
    };

    private static string DurabilityMode(string value) =>
        value is "crash" or "power" ? value : throw new ArgumentException($"--durability is crash or power, not '{value}'");
}
