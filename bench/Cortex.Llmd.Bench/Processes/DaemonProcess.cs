using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Cortex.Llm.Client;

namespace Cortex.Llmd.Bench.Processes;

/// <summary>Starts the daemon on the gateway core and tells how long it took to serve.</summary>
internal static class DaemonProcess
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts it and waits until a Health/Check through its socket answers; returns the time from exec to that answer.</summary>
    public static async Task<(ChildProcess Process, TimeSpan ExecToServing)> StartAsync(
        DaemonBinary binary, Pinning pinning, string config, string socket, string workDir)
    {
        var clock = Stopwatch.StartNew();
        ChildProcess process = ChildProcess.Start(
            "cortex-llmd", pinning.Prefix(Pinning.GatewayCore).Concat(binary.Command).Concat(["--config", config, "--socket", socket]),
            Path.Combine(workDir, "daemon.log"));
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the daemon exited with {process.ExitCode}:\n{process.LogTail()}");
            }

            if (await AcceptsAsync(socket) && await HealthyAsync(socket))
            {
                return (process, clock.Elapsed);
            }

            await Task.Delay(2);
        }

        throw new TimeoutException($"the daemon did not serve within {StartTimeout.TotalSeconds:N0} s:\n{process.LogTail()}");
    }

    /// <summary>
    /// A plain connect first: a gRPC channel whose first connection failed waits out Grpc.Net.Client's
    /// reconnect backoff (a second and more), which would be measured as start time.
    /// </summary>
    private static async Task<bool> AcceptsAsync(string socket)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>One Health/Check on a fresh channel.</summary>
    private static async Task<bool> HealthyAsync(string socket)
    {
        using var client = new CortexLlmClient(socket);
        try
        {
            await client.CheckHealthAsync();
            return true;
        }
        catch (Exception e) when (e is CortexUnreachableException or Grpc.Core.RpcException)
        {
            return false;
        }
    }

    /// <summary>
    /// exec to READY=1: Microsoft.Extensions.Hosting.Systemd sends sd_notify only when the daemon is PID 1
    /// (with NOTIFY_SOCKET) or systemd's child, so it runs as PID 1 of a new pid namespace
    /// (<c>unshare --pid --fork</c>, root only), as the systemd tests do; unshare's own fork is included.
    /// Null with the reason when that is not possible here.
    /// </summary>
    public static async Task<(TimeSpan? Ready, string? Why)> ExecToReadyAsync(
        DaemonBinary binary, Pinning pinning, string config, string workDir, int attempt)
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/unshare"))
        {
            return (null, "n/a: needs root and unshare to make the daemon PID 1 of a pid namespace");
        }

        string notifyPath = Path.Combine(workDir, $"notify-{attempt}.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var environment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notifyPath,
            ["CORTEX_LLMD_LEDGER__PATH"] = Path.Combine(workDir, $"ready-{attempt}.db"),
        };
        string socket = Path.Combine(workDir, $"ready-{attempt}.sock");
        var clock = Stopwatch.StartNew();
        using ChildProcess process = ChildProcess.Start(
            "cortex-llmd (PID 1)",
            pinning.Prefix(Pinning.GatewayCore).Concat(["unshare", "--pid", "--fork", "--mount-proc"]).Concat(binary.Command).Concat(["--config", config, "--socket", socket]),
            Path.Combine(workDir, "daemon-ready.log"),
            environment);
        try
        {
            TimeSpan? ready = await WaitForReadyAsync(notify, clock, process);
            if (ready is null)
            {
                return (null, process.HasExited
                    ? $"n/a: the daemon exited with {process.ExitCode} before READY=1: {process.LogTail().Split('\n')[^1]}"
                    : "n/a: no READY=1 within 60 s");
            }

            // READY=1 must mean serving; the call also JIT-compiles this process's gRPC client, so the
            // exec-to-serving measurement that follows times the daemon, not the bench's first call.
            using var client = new CortexLlmClient(socket);
            await client.CheckHealthAsync();
            return (ready, null);
        }
        finally
        {
            // The kernel drops SIGTERM sent from outside to a namespace's init unless it handles it; the
            // daemon does, so it gets it directly.
            foreach (int child in Children(process.Pid))
            {
                ChildProcess.Signal(child, "TERM");
            }

            await process.StopAsync(TimeSpan.FromSeconds(15));
        }
    }

    /// <summary>The time READY=1 arrived; null when the daemon exited first (a config it rejects, say) or never sent it.</summary>
    private static async Task<TimeSpan?> WaitForReadyAsync(Socket notify, Stopwatch clock, ChildProcess process)
    {
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(StartTimeout);
        Task exited = process.ExitedAsync(timeout.Token);
        try
        {
            while (true)
            {
                Task<int> receive = notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
                if (await Task.WhenAny(receive, exited) != receive)
                {
                    await timeout.CancelAsync();
                    return null;
                }

                int length = await receive;
                TimeSpan at = clock.Elapsed;
                if (Encoding.UTF8.GetString(buffer, 0, length).Split('\n').Contains("READY=1"))
                {
                    return at;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        string path = $"/proc/{pid}/task/{pid}/children";
        string text = File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
    }
}
