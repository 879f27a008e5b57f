using System.Diagnostics;
using System.Net.Sockets;

namespace Cortex.Llmd.Tests.Support;

/// <summary>The built daemon run as a real child process, for exit codes, stderr and socket ownership.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stderr = new();
    private readonly System.Text.StringBuilder _stdout = new();

    private DaemonProcess(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) => { lock (_stderr) { _stderr.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (_stdout) { _stdout.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public static string DaemonDll => Path.Combine(AppContext.BaseDirectory, "cortex-llmd.dll");

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Pid => _process.Id;

    public static DaemonProcess Start(IDictionary<string, string>? environment, params string[] args) =>
        StartWith([], environment, args);

    /// <summary>Runs "launcher... dotnet cortex-llmd.dll args" (for example under systemd-socket-activate).</summary>
    public static DaemonProcess StartWith(IReadOnlyList<string> launcher, IDictionary<string, string>? environment, params string[] args) =>
        StartProgram(["dotnet", DaemonDll], launcher, environment, args);

    /// <summary>Runs a native daemon binary (the AOT build) directly.</summary>
    public static DaemonProcess StartExecutable(string path, IDictionary<string, string>? environment, params string[] args) =>
        StartProgram([path], [], environment, args);

    /// <summary>Runs "launcher... program... args".</summary>
    public static DaemonProcess StartProgram(IReadOnlyList<string> program, IReadOnlyList<string> launcher, IDictionary<string, string>? environment, params string[] args)
    {
        // Through env --default-signal: a test run started with nohup or in the background hands its
        // ignored SIGHUP/SIGINT down across exec, and a daemon that ignores SIGHUP never reloads. env
        // execs the launcher (or the program), so the pid stays the launcher's.
        var info = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal");
        info.ArgumentList.Add(launcher.Count > 0 ? launcher[0] : program[0]);
        foreach (string arg in launcher.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (string part in launcher.Count > 0 ? program : program.Skip(1))
        {
            info.ArgumentList.Add(part);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Keep the parent's CORTEX_LLMD_* settings out: each test says exactly what it wants.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("CORTEX_LLMD_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        // Never the system ledger: a private one unless the test names its own.
        info.Environment["CORTEX_LLMD_LEDGER__PATH"] = Path.Combine(Path.GetTempPath(), "cortex-llmd-test-ledgers", Guid.NewGuid().ToString("N") + ".db");
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new DaemonProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Stderr once it holds <paramref name="text"/>, or as it is at the timeout: the console logger writes
    /// from its own queue, so a line can arrive after the notification or answer that followed it.
    /// </summary>
    public async Task<string> WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!Stderr.Contains(text, StringComparison.Ordinal) && watch.Elapsed < timeout)
        {
            await Task.Delay(20);
        }

        return Stderr;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until the socket accepts connections, or the process dies.</summary>
    public async Task WaitUntilServingAsync(string socketPath, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"daemon exited with {_process.ExitCode}: {Stderr}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException("daemon did not start serving: " + Stderr);
    }

    public void Signal(int signal) => Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
