using System.Diagnostics;
using System.Text.Json;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// The access model end to end, with real users: the daemon runs as root with its socket 0660 in a test
/// group; a user outside that group, one in it, and one also in the admin group call it through the
/// cortex-llm CLI (and Python grpcio, and Python's http.client on the OpenAI-compatible door's socket)
/// under runuser. Each gets exactly what docs/security.md promises.
/// Needs root to create users; under CI=true it fails rather than skips when it cannot.
/// </summary>
[NonParallelizable]
public partial class AccessTests
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private string _dir = null!;
    private string _socket = null!;
    private string _cli = null!;
    private DaemonProcess _daemon = null!;

    private string SocketGroup => "cxs" + _suffix;

    private string AdminGroup => "cxa" + _suffix;

    private string Outsider => "cxo" + _suffix;

    private string Member => "cxm" + _suffix;

    private string Admin => "cxd" + _suffix;

    [OneTimeSetUp]
    public async Task CreateUsersAndStartDaemon()
    {
        RequireRoot();
        _dir = TempDirectory.Create();
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        Run("groupadd", "--system", SocketGroup);
        Run("groupadd", "--system", AdminGroup);
        Run("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "-N", Outsider);
        Run("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "-N", "-G", SocketGroup, Member);
        Run("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "-N", "-G", $"{SocketGroup},{AdminGroup}", Admin);
        _cli = await CopyCliAsync(Path.Combine(_dir, "cli"));

        string config = Path.Combine(_dir, "c.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "server": { "socketMode": "0660", "socketGroup": "{{SocketGroup}}" },
              "providers": { "mock": { "kind": "mock", "defaultModel": "m", "reply": "hello" } },
              "routes": { "r": { "targets": ["mock/m"] } },
              "tasks": { "default": "r" },
              "health": { "probes": { "enabled": false } },
              "access": { "adminGroups": ["{{AdminGroup}}"], "rateLimit": { "requestsPerSecond": 1, "burst": 8 } },
              "openai": { "socketPath": "{{DoorSocket}}" }
            }
            """);
        _socket = Path.Combine(_dir, "s.sock");
        _daemon = DaemonProcess.Start(null, "--config", config, "--socket", _socket);
        await _daemon.WaitUntilServingAsync(_socket, TimeSpan.FromSeconds(60));
    }

    [OneTimeTearDown]
    public void RemoveUsersAndStopDaemon()
    {
        _daemon?.Dispose();
        foreach (string user in new[] { Outsider, Member, Admin })
        {
            TryRun("userdel", user);
        }

        TryRun("groupdel", SocketGroup);
        TryRun("groupdel", AdminGroup);
        if (_dir is not null)
        {
            TempDirectory.Delete(_dir);
        }
    }

    [Test]
    public async Task Connect_UserOutsideTheSocketGroup_IsRefusedByTheFileMode()
    {
        (int code, string _, string stderr) = await CliAsAsync(Outsider, "health");

        Assert.That(code, Is.EqualTo(3), stderr);
        Assert.That(stderr, Does.Contain("permission denied"));
    }

    [Test]
    public async Task Calls_MemberAndAdmin_EachGetWhatTheAccessModelSays()
    {
        uint member = Uid(Member);
        uint admin = Uid(Admin);
        using var client = new CortexLlmClient(_socket);
        using var watchers = new Watchers(this);
        await watchers.WaitUntilSubscribedAsync(client);

        await client.CompleteAsync(Ask());
        (int memberCode, _, string memberErr) = await CliAsAsync(Member, "complete", "--no-stream", "from the member");
        Assert.That(memberCode, Is.Zero, memberErr);
        (int adminCode, _, string adminErr) = await CliAsAsync(Admin, "complete", "--no-stream", "from the admin");
        Assert.That(adminCode, Is.Zero, adminErr);
        uint?[] adminSaw = await watchers.Admin.RequestCallersAsync(3);
        uint?[] memberSaw = watchers.Member.RequestCallers();

        Assert.That(adminSaw, Is.EquivalentTo(new uint?[] { 0, member, admin }), "an admin watches everyone's requests");
        Assert.That(memberSaw, Is.EqualTo(new uint?[] { member }), "a member watches only its own");
        Assert.That(await TotalRequestsAsAsync(Member), Is.EqualTo(1), "a member's statistics count only its own requests");
        Assert.That(await TotalRequestsAsAsync(Admin), Is.EqualTo(3), "an admin's count everyone's");

        (int denied, _, string deniedErr) = await CliAsAsync(Member, "stats", "--reset");
        Assert.That(denied, Is.EqualTo(8), deniedErr);
        Assert.That(deniedErr, Does.StartWith($"cortex-llm: PERMISSION_DENIED: ResetStats needs an admin: root, the daemon's own uid, a uid in access.adminUids (none), or a member of access.adminGroups ({AdminGroup}); the caller is uid {member}"));
        (int reset, _, string resetErr) = await CliAsAsync(Admin, "stats", "--reset");
        Assert.That(reset, Is.EqualTo(0), resetErr);
    }

    /// <summary>Runs after the other tests (NUnit orders a fixture's tests by name) and waits for a full bucket itself.</summary>
    [Test]
    public async Task Flood_MemberOverItsRate_GetsResourceExhaustedWithRetryDelayAndOneLogLine()
    {
        await Task.Delay(TimeSpan.FromSeconds(9)); // the bucket (8 at 1/s) fills again after the earlier calls
        const int Calls = 30;
        (int code, string stdout, string stderr) = await RunAsync(["runuser", "-u", Member, "--", "/usr/bin/python3", "-c", FloodScript, _socket, Calls.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.That(code, Is.Zero, stderr);
        string[] parts = stdout.Trim().Split(' ');
        int ok = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int limited = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        int[] delays = [.. parts[2].Split(',').Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture))];
        uint member = Uid(Member);

        Assert.That(ok + limited, Is.EqualTo(Calls), stdout);
        Assert.That(ok, Is.InRange(8, 10), "the burst, plus what refilled while the flood ran");
        Assert.That(delays, Has.All.InRange(1, 1000), "retry-after-ms says when the next token comes, at most one period away");
        Assert.That(_daemon.Stderr.Split('\n').Count(l => l.Contains($"uid={member}", StringComparison.Ordinal) && l.Contains("Rate limit", StringComparison.Ordinal)), Is.EqualTo(1), _daemon.Stderr);
        Assert.That(_daemon.Stderr.Split('\n').Count(l => l.Contains("ResourceExhausted", StringComparison.Ordinal) || l.Contains("RESOURCE_EXHAUSTED", StringComparison.Ordinal)), Is.EqualTo(1), "the throttled line above, and no line per refused call: " + _daemon.Stderr);

        (int health, _, string healthErr) = await CliAsAsync(Member, "health");
        Assert.That(health, Is.Zero, "Health is never rate-limited: " + healthErr);
    }

    /// <summary>GetStats with an empty body, as fast as it can: prints "ok limited delay,delay,...".</summary>
    private const string FloodScript = """
        import grpc, sys
        channel = grpc.insecure_channel('unix:' + sys.argv[1])
        call = channel.unary_unary('/cortex.llm.v1.Router/GetStats')
        ok, limited, delays = 0, 0, []
        for _ in range(int(sys.argv[2])):
            try:
                call(b'', timeout=10)
                ok += 1
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                    sys.exit('unexpected %s: %s' % (e.code(), e.details()))
                limited += 1
                delays.append(dict(e.trailing_metadata() or ()).get('retry-after-ms', '-1'))
        print(ok, limited, ','.join(delays))
        """;

    private static void RequireRoot()
    {
        if (Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId() == 0)
        {
            return;
        }

        const string Why = "the access test creates users and groups and runs the CLI as them: it needs root";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(Why + " (CI=true, so this is a failure, not a skip)");
        }

        Assert.Ignore(Why);
    }

    private static CompleteRequest Ask() => new() { Messages = { new Message { Role = Role.User, Content = "from root" } } };

    private static uint Uid(string user) => uint.Parse(Run("id", "-u", user).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<long> TotalRequestsAsAsync(string user)
    {
        // The stats call draws on the same per-uid bucket as the calls it counts, so after a test
        // has emptied that bucket it waits for the refill the daemon names, like any polite caller.
        (int code, string stdout, string stderr) = await CliAsAsync(user, "stats", "--json");
        for (int retry = 0; retry < 5 && code != 0 && stderr.Contains("RESOURCE_EXHAUSTED", StringComparison.Ordinal); retry++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            (code, stdout, stderr) = await CliAsAsync(user, "stats", "--json");
        }

        Assert.That(code, Is.Zero, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        return json.RootElement.GetProperty("total").TryGetProperty("requests", out JsonElement requests) ? long.Parse(requests.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> CliAsAsync(string user, params string[] args) =>
        RunAsync([.. CliCommand(user), .. args, "--socket", _socket]);

    private string[] CliCommand(string user) =>
        ["runuser", "-u", user, "--", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1", "dotnet", _cli];

    private static async Task<string> CopyCliAsync(string target)
    {
        string dll = await CliProcess.EnsureBuiltAsync();
        string source = Path.GetDirectoryName(dll)!;
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        // The test users must read the copy even where the checkout sits under a private directory.
        Run("chmod", "-R", "a+rX", target);
        return Path.Combine(target, Path.GetFileName(dll));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] command) => CliProcess.RunCommandAsync(command);

    private static string Run(params string[] command)
    {
        (int code, string stdout, string stderr) = RunAsync(command).GetAwaiter().GetResult();
        Assert.That(code, Is.Zero, $"{string.Join(' ', command)}: {stderr}");
        return stdout;
    }

    private static void TryRun(params string[] command)
    {
        try
        {
            RunAsync(command).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>`cortex-llm events --json` as the member and as the admin, collecting their JSON lines.</summary>
    private sealed class Watchers : IDisposable
    {
        public Watchers(AccessTests test)
        {
            Member = new Watcher(test.CliCommand(test.Member), test._socket);
            Admin = new Watcher(test.CliCommand(test.Admin), test._socket);
        }

        public Watcher Member { get; }

        public Watcher Admin { get; }

        /// <summary>Root resets the statistics until both watchers saw a StatsReset: an event everyone sees.</summary>
        public async Task WaitUntilSubscribedAsync(CortexLlmClient client)
        {
            DateTime end = DateTime.UtcNow.AddSeconds(60);
            while (!(Member.Saw("statsReset") && Admin.Saw("statsReset")))
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(end), "watchers never subscribed: " + Member.Output + Admin.Output);
                await client.ResetStatsAsync(new ResetStatsRequest());
                await Task.Delay(300);
            }
        }

        public void Dispose()
        {
            Member.Dispose();
            Admin.Dispose();
        }
    }

    private sealed class Watcher : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        public Watcher(string[] cli, string socket)
        {
            var info = new ProcessStartInfo(cli[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in cli.Skip(1).Concat(["events", "--json", "--socket", socket]))
            {
                info.ArgumentList.Add(arg);
            }

            _process = Process.Start(info)!;
            _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output { get { lock (_output) { return _output.ToString(); } } }

        public bool Saw(string text) => Output.Contains(text, StringComparison.Ordinal);

        public uint?[] RequestCallers() =>
            [.. Output.Split('\n').Where(l => l.Contains("\"requestFinished\"", StringComparison.Ordinal)).Select(CallerUid)];

        public async Task<uint?[]> RequestCallersAsync(int expected)
        {
            DateTime end = DateTime.UtcNow.AddSeconds(30);
            while (RequestCallers().Length < expected && DateTime.UtcNow < end)
            {
                await Task.Delay(100);
            }

            await Task.Delay(500); // and nothing more arrives
            return RequestCallers();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }

        private static uint? CallerUid(string line)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("requestFinished").GetProperty("caller").TryGetProperty("uid", out JsonElement uid) ? uid.GetUInt32() : null;
        }
    }
}
