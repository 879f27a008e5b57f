using System.Diagnostics;
using System.Globalization;

namespace Cortex.Llmd.Bench.Processes;

/// <summary>A process the bench started (mock, daemon, Portkey): its output goes to a log file, and it is stopped by its id.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, string name, string log)
    {
        _process = process;
        Name = name;
        Log = log;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    /// <summary>Where stdout and stderr went.</summary>
    public string Log { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the process exits.</summary>
    public Task ExitedAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Starts <paramref name="command"/>; <paramref name="onLine"/> sees each output line as it arrives.</summary>
    public static ChildProcess Start(string name, IEnumerable<string> command, string log, IDictionary<string, string>? environment = null, Action<string>? onLine = null)
    {
        List<string> argv = [.. command];
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (KeyValuePair<string, string> pair in environment ?? new Dictionary<string, string>())
        {
            info.Environment[pair.Key] = pair.Value;
        }

        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        void Handle(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (writer)
            {
                writer.WriteLine(e.Data);
            }

            onLine?.Invoke(e.Data);
        }

        process.OutputDataReceived += Handle;
        process.ErrorDataReceived += Handle;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, name, log);
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>; returns the exit code or null if killed.</summary>
    public async Task<int?> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        Signal(Pid, "TERM");
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return null;
        }
    }

    public static void Signal(int pid, string signal)
    {
        using Process? kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
    }

    /// <summary>Tail of the log, for an error message.</summary>
    public string LogTail()
    {
        try
        {
            string[] lines = File.ReadAllLines(Log);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 20)));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
    }
}
