using System.Text.RegularExpressions;
using Cortex.Llm.V1;
using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;
using Grpc.Health.V1;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>
/// The built daemon as systemd runs it: socket activation, sd_notify through Hosting.Systemd (the
/// daemon made PID 1, see <see cref="Pid1Daemon"/>), SIGHUP reload, SIGTERM drain.
/// </summary>
public class SystemdFunctionalTests
{
    private const int Sighup = 1;
    private const int Sigterm = 15;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private static string Config(string extraProviders = "", string extraRoutes = "", string server = "") => $$"""
        {
          "logging": { "level": "warning" },
          "server": { "shutdownTimeout": "20s" {{server}} },
          "providers": {
            "mock": { "kind": "mock", "defaultModel": "mock-1", "reply": "Hello" },
            "drip": { "kind": "mock", "defaultModel": "drip-1", "reply": "drip ", "repeat": 150, "chunkDelay": "10ms" }
            {{extraProviders}}
          },
          "routes": {
            "default": { "targets": ["mock/mock-1"] },
            "drip": { "targets": ["drip/drip-1"] }
            {{extraRoutes}}
          },
          "tasks": { "default": "default" },
          "validation": { "rejectEmpty": false }
        }
        """;

    private async Task<string> WriteConfig(string text)
    {
        string path = Path.Combine(_dir, "llmd.json");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static async Task<global::Grpc.Core.StatusCode?> HealthCheck(string socket)
    {
        using var client = new RawGrpcClient(socket);
        RawResponse response = await client.SendAsync("/grpc.health.v1.Health/Check", RawGrpcClient.Frame(new HealthCheckRequest()));
        return response.Status;
    }

    private static async Task<List<string>> ProviderNames(string socket)
    {
        using var client = new RawGrpcClient(socket);
        RawResponse response = await client.SendAsync("/cortex.llm.v1.Router/ListProviders", RawGrpcClient.Frame(new ListProvidersRequest()));
        Assert.That(response.Status, Is.EqualTo(global::Grpc.Core.StatusCode.OK), response.Message);
        return [.. ListProvidersResponse.Parser.ParseFrom(response.Messages[0]).Providers.Select(p => p.Name)];
    }

    private static string SocketActivateTool()
    {
        string? tool = new[] { "/usr/bin/systemd-socket-activate", "/lib/systemd/systemd-socket-activate", "/usr/lib/systemd/systemd-socket-activate" }
            .FirstOrDefault(File.Exists);
        Assert.That(tool, Is.Not.Null, "systemd-socket-activate is missing: apt-get install systemd");
        return tool!;
    }

    [Test]
    public async Task SocketActivation_UnderSystemdSocketActivate_FirstCallAnsweredOnInheritedSocket()
    {
        string socket = Path.Combine(_dir, "a.sock");
        string config = await WriteConfig(Config());
        // No --socket: were the inherited fd ignored, the daemon would bind its default path instead. The
        // tool passes on only the variables -E names.
        using DaemonProcess daemon = DaemonProcess.StartWith(
            [SocketActivateTool(), "-l", socket, "--fdname=llmd", "-E", "CORTEX_LLMD_LEDGER__PATH=" + Path.Combine(_dir, "ledger.db")],
            null, "--config", config);
        DateTime end = DateTime.UtcNow + Wait;
        while (!File.Exists(socket) && DateTime.UtcNow < end && !daemon.HasExited)
        {
            await Task.Delay(20);
        }

        Assert.That(await HealthCheck(socket), Is.EqualTo(global::Grpc.Core.StatusCode.OK), daemon.Stderr);
        Assert.That(await ProviderNames(socket), Does.Contain("drip"));
        Assert.That(daemon.Stderr, Does.Contain("Execing dotnet"), "the tool exec'd the daemon in place, so LISTEN_PID is its pid");

        daemon.Signal(Sigterm);
        Assert.That(await daemon.WaitForExitAsync(Wait), Is.Zero, daemon.Stderr);
        Assert.That(File.Exists(socket), Is.True, "the socket file belongs to systemd; the daemon must not remove it");
        Assert.That(File.Exists(socket + ".lock"), Is.False, "no SocketGuard lock under socket activation");
        Assert.That(File.Exists(Path.Combine(_dir, "ledger.db")), Is.True, "the -E variable reached the daemon");
    }

    [Test]
    public async Task SocketActivation_TwoFdsSecondNamedLlmd_ServesTheLlmdOne()
    {
        string other = Path.Combine(_dir, "o.sock");
        string socket = Path.Combine(_dir, "l.sock");
        string config = await WriteConfig(Config().Replace("\"warning\"", "\"information\"", StringComparison.Ordinal));
        using DaemonProcess daemon = DaemonProcess.StartWith(
            [SocketActivateTool(), "-l", other, "-l", socket, "--fdname=other:llmd", "-E", "CORTEX_LLMD_LEDGER__PATH=" + Path.Combine(_dir, "ledger.db")],
            null, "--config", config);
        DateTime end = DateTime.UtcNow + Wait;
        while (!File.Exists(socket) && DateTime.UtcNow < end && !daemon.HasExited)
        {
            await Task.Delay(20);
        }

        Assert.That(await HealthCheck(socket), Is.EqualTo(global::Grpc.Core.StatusCode.OK), daemon.Stderr);
        Assert.That(daemon.Stderr, Does.Contain($"serving on {socket} (fd 4 from systemd)"));
        daemon.Signal(Sigterm);
        Assert.That(await daemon.WaitForExitAsync(Wait), Is.Zero, daemon.Stderr);
    }

    [Test]
    public async Task Notify_Pid1WithNotifySocket_StatusThenReadyOnlyWhenServingThenStoppingAndExit0()
    {
        string socket = Path.Combine(_dir, "d.sock");
        using var listener = new DatagramListener(Path.Combine(_dir, "notify.sock"));
        string config = await WriteConfig(Config().Replace("\"warning\"", "\"information\"", StringComparison.Ordinal));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using DaemonProcess daemon = Pid1Daemon.Start(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Address }, "--config", config, "--socket", socket);

        Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo($"STATUS=serving on {socket}; 2/2 providers available"));
        string ready = await listener.ReceiveAsync(Wait);
        TestContext.Out.WriteLine($"start to READY (framework-dependent build): {clock.ElapsedMilliseconds} ms");
        // The instant READY arrives, the socket must already answer a real call.
        global::Grpc.Core.StatusCode? status = await HealthCheck(socket);
        Assert.That(ready, Is.EqualTo("READY=1"));
        Assert.That(status, Is.EqualTo(global::Grpc.Core.StatusCode.OK));
        Assert.That(daemon.Stderr, Does.Match(@"<6>Cortex.Llmd\[200\] cortex-llmd \S+ serving on "), "journald lines under systemd");

        Pid1Daemon.Signal(daemon, Sigterm);
        (string stopping, List<string> before) = await listener.ReceiveUntilAsync(m => m == "STOPPING=1", Wait);
        Assert.That(before, Is.Empty);
        Assert.That(stopping, Is.EqualTo("STOPPING=1"));
        Assert.That(await daemon.WaitForExitAsync(Wait), Is.Zero, daemon.Stderr);
    }

    [Test]
    public async Task Notify_NotifySocketButNotPid1_LibraryStaysOffAndServes()
    {
        string socket = Path.Combine(_dir, "n.sock");
        using var listener = new DatagramListener(Path.Combine(_dir, "notify.sock"));
        string config = await WriteConfig(Config());
        using DaemonProcess daemon = DaemonProcess.Start(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Address }, "--config", config, "--socket", socket);

        await daemon.WaitUntilServingAsync(socket, Wait);
        Assert.That(await HealthCheck(socket), Is.EqualTo(global::Grpc.Core.StatusCode.OK));
        Assert.That(() => listener.ReceiveAsync(TimeSpan.FromSeconds(1)), Throws.InstanceOf<TimeoutException>(), "not systemd's child, not PID 1: no sd_notify");
        daemon.Signal(Sigterm);
        Assert.That(await daemon.WaitForExitAsync(Wait), Is.Zero, daemon.Stderr);
    }

    [Test]
    public async Task Watchdog_WatchdogUsecSet_PingsWhilePipelineAnswers()
    {
        string socket = Path.Combine(_dir, "w.sock");
        using var listener = new DatagramListener(Path.Combine(_dir, "notify.sock"));
        string config = await WriteConfig(Config());
        using DaemonProcess daemon = Pid1Daemon.Start(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Address, ["WATCHDOG_USEC"] = "4000000" },
            "--config", config, "--socket", socket);

        await listener.ReceiveUntilAsync(m => m == "READY=1", Wait);
        DateTime start = DateTime.UtcNow;
        for (int i = 0; i < 3; i++)
        {
            await listener.ReceiveUntilAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(10));
        }

        // Every 2 s (half of 4 s), each after a Health/Check through the socket within 1 s.
        Assert.That(DateTime.UtcNow - start, Is.InRange(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(12)));
        Assert.That(daemon.Stderr, Does.Not.Contain("Watchdog:"), "the probe through the socket must succeed");
    }

    [Test]
    public async Task Reload_GoodThenBadConfig_AppliesGoodKeepsItOnBadAndNotifiesAroundBoth()
    {
        string socket = Path.Combine(_dir, "r.sock");
        using var listener = new DatagramListener(Path.Combine(_dir, "notify.sock"));
        string config = await WriteConfig(Config());
        using DaemonProcess daemon = Pid1Daemon.Start(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Address }, "--config", config, "--socket", socket);
        await listener.ReceiveUntilAsync(m => m == "READY=1", Wait);
        Assert.That(await ProviderNames(socket), Does.Not.Contain("extra"));

        await WriteConfig(Config(
            extraProviders: """, "extra": { "kind": "mock", "defaultModel": "extra-1" }""",
            extraRoutes: """, "extra": { "targets": ["extra/extra-1"] }"""));
        long before = Notifications.MonotonicMicroseconds();
        Pid1Daemon.Signal(daemon, Sighup);

        string reloading = await listener.ReceiveAsync(Wait);
        Match match = Regex.Match(reloading, @"^RELOADING=1\nMONOTONIC_USEC=(\d+)$");
        Assert.That(match.Success, Is.True, reloading);
        long usec = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(usec, Is.InRange(before, Notifications.MonotonicMicroseconds()), "CLOCK_MONOTONIC at the reload");
        Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("READY=1"));
        Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo($"STATUS=serving on {socket}; 3/3 providers available"));
        Assert.That(await ProviderNames(socket), Does.Contain("extra"));

        await File.WriteAllTextAsync(config, """
            { "providers": { "m": { "kind": "warp" } }, "routes": { "r": { "targets": ["ghost/model"] } } }
            """);
        Pid1Daemon.Signal(daemon, Sighup);

        Assert.That(await listener.ReceiveAsync(Wait), Does.StartWith("RELOADING=1\nMONOTONIC_USEC="));
        Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("READY=1"));
        Assert.That(await ProviderNames(socket), Does.Contain("extra").And.Contain("drip"));
        Assert.That(daemon.HasExited, Is.False);
        string stderr = await daemon.WaitForStderrAsync("unknown provider 'ghost'", Wait);
        Assert.That(stderr, Does.Contain("rejected; keeping the last good config"));
        Assert.That(stderr, Does.Contain("providers.m.kind: unknown provider kind 'warp'"));
        Assert.That(stderr, Does.Contain("routes.r.targets[0]: unknown provider 'ghost'"));
    }

    [Test]
    public async Task Logging_JournalStreamSet_OneLinePriorityPrefixedEntries()
    {
        string socket = Path.Combine(_dir, "j.sock");
        string config = await WriteConfig(Config().Replace("\"warning\"", "\"information\"", StringComparison.Ordinal));
        using DaemonProcess daemon = DaemonProcess.Start(
            new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" }, "--config", config, "--socket", socket);
        await daemon.WaitUntilServingAsync(socket, Wait);
        daemon.Signal(Sigterm);
        Assert.That(await daemon.WaitForExitAsync(Wait), Is.Zero);

        string[] lines = daemon.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Some.StartsWith($"<6>Cortex.Llmd[200] cortex-llmd "));
        Assert.That(lines, Has.All.Match(@"^<[2-7]>[\w.]+\[\d+\]"), daemon.Stderr);
    }

    [Test]
    public async Task Stop_SigtermDuringStream_StreamCompletesAndExit0()
    {
        string socket = Path.Combine(_dir, "s.sock");
        string config = await WriteConfig(Config());
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", config, "--socket", socket);
        await daemon.WaitUntilServingAsync(socket, Wait);
        using var client = new RawGrpcClient(socket);

        var request = new CompleteRequest { Route = "drip", Messages = { new Message { Role = Role.User, Content = "go" } } };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task<RawResponse> stream = client.SendAsync("/cortex.llm.v1.Router/StreamComplete", RawGrpcClient.Frame(request));
        await Task.Delay(300);
        Assert.That(stream.IsCompleted, Is.False, "the stream (150 chunks, 10 ms apart) must still run at SIGTERM");
        daemon.Signal(Sigterm);

        RawResponse response = await stream;
        Assert.That(response.Status, Is.EqualTo(global::Grpc.Core.StatusCode.OK), response.Message);
        List<CompleteChunk> chunks = [.. response.Messages.Select(m => CompleteChunk.Parser.ParseFrom(m))];
        Assert.That(string.Concat(chunks.Select(c => c.ContentDelta)), Is.EqualTo(string.Concat(Enumerable.Repeat("drip ", 150))));
        Assert.That(chunks[^1].KindCase, Is.EqualTo(CompleteChunk.KindOneofCase.Final));
        Assert.That(await daemon.WaitForExitAsync(Wait), Is.Zero, daemon.Stderr);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "drained within shutdownTimeout");
    }
}
