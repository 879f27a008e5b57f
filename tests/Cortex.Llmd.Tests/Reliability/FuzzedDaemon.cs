using System.Globalization;
using Cortex.Llm.Client;
using Cortex.Llmd.Tests.Support;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// The daemon as a child process for the fuzz tests: its log (stderr, information level) and its RSS
/// can be read, and a crash shows as an exit rather than as a dead test runner.
/// </summary>
internal sealed class FuzzedDaemon : IDisposable
{
    /// <summary>How a stack frame starts in a log line: the libraries' and the daemon's own.</summary>
    private static readonly string[] StackFrames = [" at System.", " at Microsoft.", " at Grpc.", " at Cortex."];

    private readonly string _dir;
    private readonly DaemonProcess _process;

    private FuzzedDaemon(string dir, string socketPath, string? doorSocketPath, DaemonProcess process)
    {
        _dir = dir;
        SocketPath = socketPath;
        DoorSocketPath = doorSocketPath;
        _process = process;
    }

    public string SocketPath { get; }

    /// <summary>The OpenAI-compatible door's Unix socket, when it was asked for.</summary>
    public string? DoorSocketPath { get; }

    /// <param name="openAiDoor">Also serve the OpenAI-compatible door (HTTP/1.1) on a socket of its own.</param>
    public static async Task<FuzzedDaemon> StartAsync(bool openAiDoor = false)
    {
        string dir = TempDirectory.Create();
        string socket = Path.Combine(dir, "llmd.sock");
        string? door = openAiDoor ? Path.Combine(dir, "openai.sock") : null;
        var environment = new Dictionary<string, string>
        {
            ["CORTEX_LLMD_LEDGER__PATH"] = Path.Combine(dir, "ledger.db"),
            ["CORTEX_LLMD_LOGGING__LEVEL"] = "information",
        };
        if (door is not null)
        {
            environment["CORTEX_LLMD_OPENAI__SOCKETPATH"] = door;
        }

        DaemonProcess process = DaemonProcess.Start(environment, "--config", TestDaemon.TestConfigPath, "--socket", socket);
        await process.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(60));
        if (door is not null)
        {
            await process.WaitUntilServingAsync(door, TimeSpan.FromSeconds(30));
        }

        return new FuzzedDaemon(dir, socket, door, process);
    }

    /// <summary>Everything logged so far; pass an earlier length to get only what came since.</summary>
    public string Log(int since = 0)
    {
        string all = _process.Stderr + _process.Stdout;
        return since >= all.Length ? string.Empty : all[since..];
    }

    public int LogLength => Log().Length;

    /// <summary>Resident set size in KiB, from /proc.</summary>
    public long RssKib()
    {
        string line = File.ReadLines($"/proc/{_process.Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Fails unless the process still runs and answers Health/Check with SERVING.</summary>
    public async Task AssertServingAsync(string after)
    {
        Assert.That(_process.HasExited, Is.False, $"the daemon died after {after}: exit {(_process.HasExited ? _process.ExitCode : 0)}\n{Tail()}");
        using GrpcChannel channel = CortexChannel.ForSocket(SocketPath);
        HealthCheckResponse response = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.That(response.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving), $"after {after}");
    }

    /// <summary>
    /// What the journal would have got from a hostile peer: no error or critical line, no stack trace,
    /// and at most <paramref name="maxLines"/> lines in all.
    /// </summary>
    public void AssertQuietLog(int since, int maxLines, string after)
    {
        string[] lines = Log(since).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)), Is.Empty, $"error lines after {after}");
            Assert.That(lines.Where(l => StackFrames.Any(frame => l.Contains(frame, StringComparison.Ordinal))), Is.Empty, $"stack traces after {after}");
            Assert.That(lines, Has.Length.LessThanOrEqualTo(maxLines), $"log lines after {after}:\n{string.Join('\n', lines.Take(30))}");
        });
    }

    public string Tail() => string.Join('\n', Log().Split('\n').TakeLast(40));

    public void Dispose()
    {
        _process.Dispose();
        TempDirectory.Delete(_dir);
    }
}
