using System.Net.Sockets;
using Cortex.Llm.V1;
using Cortex.Llm.Client;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>The daemon as an operator meets it: exit codes, messages, socket ownership.</summary>
public class DaemonProcessTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public async Task Main_ConfigWithSeveralErrors_ExitsWithAllErrorsBeforeBinding()
    {
        string config = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(config, """
            {
              "server": { "socketMode": "999", "maxConcurent": 1 },
              "providers": { "m": { "kind": "mock", "latency": "soon" }, "x": { "kind": "warp" } },
              "routes": { "r": { "targets": ["ghost/model", "m"] } },
              "tasks": { "default": "r", "userChat": "nowhere" }
            }
            """);
        string socket = Path.Combine(_dir, "s.sock");
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", config, "--socket", socket);

        int code = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.That(code, Is.EqualTo(78));
        string stderr = daemon.Stderr;
        Assert.That(stderr, Does.Contain("7 errors"));
        Assert.That(stderr, Does.Contain("server.socketMode: '999' is not an octal file mode"));
        Assert.That(stderr, Does.Contain("server.maxConcurent: unknown key"));
        Assert.That(stderr, Does.Contain("providers.m.latency: 'soon' is not a duration"));
        Assert.That(stderr, Does.Contain("providers.x.kind: unknown provider kind 'warp'"));
        Assert.That(stderr, Does.Contain("routes.r.targets[0]: unknown provider 'ghost'"));
        Assert.That(stderr, Does.Contain("routes.r.targets[1]: 'm' is not \"provider/model\""));
        Assert.That(stderr, Does.Contain("tasks.userChat: unknown route 'nowhere'"));
        Assert.That(File.Exists(socket), Is.False);
    }

    [Test]
    public async Task Main_MissingConfigFile_ExitsWithConfigError()
    {
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", Path.Combine(_dir, "none.json"));

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(78));
        Assert.That(daemon.Stderr, Does.Contain("none.json does not exist"));
    }

    [Test]
    public async Task Main_MalformedJson_ExitsWithConfigError()
    {
        string config = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(config, "{ \"providers\": { ");
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", config);

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(78));
        Assert.That(daemon.Stderr, Does.Contain($"cannot read config file {config}: invalid JSON at line 1"));
    }

    [Test]
    public async Task Main_UnknownArgument_ExitsWithUsage()
    {
        using DaemonProcess daemon = DaemonProcess.Start(null, "--frobnicate");

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(2));
        Assert.That(daemon.Stderr, Does.Contain("unknown argument '--frobnicate'"));
    }

    [Test]
    public async Task Main_SecondDaemonOnSameSocket_ExitsAndFirstKeepsServing()
    {
        string socket = Path.Combine(_dir, "one.sock");
        using DaemonProcess first = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);
        await first.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));

        using DaemonProcess second = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);

        Assert.That(await second.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(73));
        Assert.That(second.Stderr, Does.Contain("already serving " + socket));
        Assert.That(first.HasExited, Is.False);
        using Grpc.Net.Client.GrpcChannel channel = CortexChannel.ForSocket(socket);
        global::Grpc.Health.V1.HealthCheckResponse health = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
        Assert.That(health.Status, Is.EqualTo(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving));
    }

    [Test]
    public async Task Main_StaleSocketFile_IsRemovedAndServed()
    {
        string socket = Path.Combine(_dir, "stale.sock");
        // .NET unlinks the sockets it binds when they close, so a crashed owner is simulated with Python, which does not.
        using (var python = System.Diagnostics.Process.Start("/usr/bin/python3", ["-c", $"import socket; socket.socket(socket.AF_UNIX).bind('{socket}')"]))
        {
            await python.WaitForExitAsync();
        }

        Assert.That(File.Exists(socket), Is.True, "precondition: a socket file nobody listens on");
        using DaemonProcess daemon = DaemonProcess.Start(
            new Dictionary<string, string> { ["CORTEX_LLMD_SOCKET"] = socket }, "--config", TestDaemon.OfflineConfigPath);

        await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));
        Assert.That(daemon.Stderr, Does.Contain("removed stale socket"));
    }

    [Test]
    public async Task Main_RegularFileAtSocketPath_RefusesToDeleteIt()
    {
        string socket = Path.Combine(_dir, "file.sock");
        await File.WriteAllTextAsync(socket, "precious");
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(73));
        Assert.That(await File.ReadAllTextAsync(socket), Is.EqualTo("precious"));
    }

    [Test]
    public async Task Main_SigtermWhileServing_ExitsZeroAndRemovesSocket()
    {
        string socket = Path.Combine(_dir, "term.sock");
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);
        await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));

        daemon.Signal(15);

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(0));
        Assert.That(File.Exists(socket), Is.False);
        Assert.That(File.Exists(socket + ".lock"), Is.False, "a clean stop leaves nothing behind");
        Assert.That(daemon.Stderr, Does.Contain("cortex-llmd stopping: no new calls; in-flight calls get up to 15 s"));
        Assert.That(daemon.Stderr, Does.Contain("cortex-llmd stopped"));
    }

    [Test]
    public async Task Main_SocketDirectoryMissingOutsideStandardPlaces_Exits73AndCreatesNothing()
    {
        string socket = Path.Combine(_dir, "typo", "deeper", "s.sock");
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(73));
        Assert.That(daemon.Stderr, Does.Contain($"cortex-llmd: cannot serve {socket}: the directory {Path.GetDirectoryName(socket)} does not exist"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "typo")), Is.False);
    }

    [Test]
    public async Task Main_SocketUnderMissingTopLevelDirectory_Exits73AndCreatesNothingUnderRoot()
    {
        string top = "/cortex-llmd-test-" + Guid.NewGuid().ToString("N")[..8];
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", top + "/llmd.sock");

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(73));
        Assert.That(daemon.Stderr, Does.Contain($"the directory {top} does not exist"));
        Assert.That(Directory.Exists(top), Is.False);
    }

    [Test]
    public async Task Main_RuntimeDirSocketDirectoryMissing_CreatesOnlyItAndServes()
    {
        string socket = Path.Combine(_dir, "cortex", "llmd.sock");
        using DaemonProcess daemon = DaemonProcess.Start(
            new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = _dir }, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);

        await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "cortex")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public async Task Main_UnwritableSocketDirectory_Exits73NamingThePathAndReason()
    {
        // As root every directory is writable: run the daemon as nobody against a directory root owns.
        // nobody runs a copy of the build in that directory: the checkout itself may sit under a private
        // directory (mktemp -d makes 0700), which nobody cannot even enter to load the daemon.
        string app = CopyBuildOutput(Path.Combine(_dir, "app"));
        string socket = Path.Combine(_dir, "s.sock");
        using DaemonProcess daemon = DaemonProcess.StartProgram(
            ["dotnet", Path.Combine(app, Path.GetFileName(DaemonProcess.DaemonDll))],
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
            new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp" },
            "--config", Path.Combine(app, "config", Path.GetFileName(TestDaemon.OfflineConfigPath)), "--socket", socket);

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(73), daemon.Stderr);
        Assert.That(daemon.Stderr, Does.Contain(
            $"cortex-llmd: cannot serve {socket}: the directory {_dir} is not writable by uid 65534 (permission denied creating {socket}.lock)"));
        Assert.That(daemon.Stderr, Does.Not.Contain("Access to the path"));
    }

    [Test]
    public async Task Main_CheckConfig_ValidatesWithoutServing()
    {
        string socket = Path.Combine(_dir, "check.sock");
        using DaemonProcess daemon = DaemonProcess.Start(null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket, "--check-config");

        Assert.That(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(0));
        Assert.That(daemon.Stdout, Does.Contain("is valid"));
        Assert.That(File.Exists(socket), Is.False);
    }

    [Test]
    public async Task Main_EnvironmentOverride_ChangesConfigValue()
    {
        var env = new Dictionary<string, string> { ["CORTEX_LLMD_SERVER__SOCKETMODE"] = "0600" };
        string socket = Path.Combine(_dir, "env.sock");
        using DaemonProcess daemon = DaemonProcess.Start(env, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);
        await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));
        await Task.Delay(200);

        Assert.That(File.GetUnixFileMode(socket), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    private static string CopyBuildOutput(string target)
    {
        string source = Path.GetDirectoryName(DaemonProcess.DaemonDll)!;
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
