using System.Text.Json;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Interop;

/// <summary>
/// Runs a real gRPC client in another language against one in-process daemon per fixture. Each case is
/// a child process that checks its own expectations; the fixture checks a few of its values again and
/// what the daemon observed. A missing toolchain fails the fixture: these tests are never skipped.
/// </summary>
public abstract class InteropFixture
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InFlightDrain = TimeSpan.FromSeconds(5);

    private TestDaemon? _daemon;

    protected string RepoRoot { get; private set; } = string.Empty;

    protected TestDaemon Daemon => _daemon ?? throw new InvalidOperationException("The daemon has not started.");

    [OneTimeSetUp]
    public async Task StartDaemonAsync()
    {
        RepoRoot = RepositoryRoot.Find();
        await CheckToolchainAsync();
        _daemon = await TestDaemon.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopDaemonAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
    }

    /// <summary>Fails (never ignores) with the install command when the client cannot run here.</summary>
    protected abstract Task CheckToolchainAsync();

    /// <summary>The program, arguments and environment that run one case.</summary>
    protected abstract ClientCommand CommandFor(string caseName, string socketPath);

    protected async Task RunCaseAsync(string caseName)
    {
        using DaemonProbe probe = DaemonProbe.Start(Daemon);
        ClientCommand command = CommandFor(caseName, Daemon.SocketPath);
        ChildProcessResult? result = await ChildProcess.TryRunAsync(command.FileName, command.Arguments, RepoRoot, CaseTimeout, command.Environment);
        Assert.That(result, Is.Not.Null, $"Could not start {command.FileName}: {command.InstallHint}");
        TestContext.Out.WriteLine($"{caseName}: {result!.Elapsed.TotalSeconds:F2} s");

        Assert.That(result.TimedOut, Is.False, $"Interop case '{caseName}' did not finish within {CaseTimeout.TotalSeconds} s.\n{result.Describe()}");
        Assert.That(result.ExitCode, Is.Zero, $"Interop case '{caseName}' failed its own expectations.\n{result.Describe()}");

        using JsonDocument report = ParseReport(result);
        JsonElement observed = report.RootElement;
        Assert.That(observed.GetProperty("ok").GetBoolean(), Is.True, result.Describe());
        Assert.That(observed.GetProperty("case").GetString(), Is.EqualTo(caseName));

        await InteropExpectations.VerifyAsync(caseName, observed, probe);
        int inFlight = await probe.WaitForNoneInFlightAsync(InFlightDrain);
        Assert.That(inFlight, Is.Zero, $"Attempts still in flight {InFlightDrain.TotalSeconds} s after case '{caseName}' ended.");
    }

    private static JsonDocument ParseReport(ChildProcessResult result)
    {
        string? line = result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith('{'));
        Assert.That(line, Is.Not.Null, $"The client printed no JSON report.\n{result.Describe()}");
        try
        {
            return JsonDocument.Parse(line!);
        }
        catch (JsonException ex)
        {
            throw new AssertionException($"The client's report is not JSON ({ex.Message}).\n{result.Describe()}");
        }
    }
}

/// <summary>How to run one interop case, and what to install when the program is missing.</summary>
public sealed record ClientCommand(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Environment, string InstallHint);
