using System.Diagnostics;
using System.Globalization;
using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Phases;
using Cortex.Llmd.Bench.Processes;
using Cortex.Llmd.Bench.Report;
using Cortex.Llmd.Bench.Targets;

namespace Cortex.Llmd.Bench;

/// <summary>Starts the mock, the daemon and Portkey, runs every phase over every path, and writes the report.</summary>
internal static class BenchRunner
{
    private const string Expected = "Hello from the bench mock.";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var total = Stopwatch.StartNew();
        string root = RepoRoot();
        Conversation.LongChunks = options.LongChunks;
        Pinning pinning = Pinning.Detect(options.NoPin);
        pinning.PinSelf();
        string workDir = Path.Combine("/tmp", "cllmd-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(workDir);
        DaemonBinary binary = DaemonBinary.Locate(root, options.Daemon);
        var results = new BenchResults
        {
            Machine = MachineInfo.Read(workDir),
            Mode = options.Quick ? "quick (--quick)" : "full",
            DaemonBuild = binary.Description,
            Durability = $"{options.Durability ?? "crash"} (ledger.durability: \"{options.Durability ?? "crash"}\"{(options.Durability is null ? ", the default" : string.Empty)})",
            Pinning = pinning.Description,
        };
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        (ChildProcess mock, Uri mockUrl) = await MockProcess.StartAsync(pinning, workDir);
        var context = new BenchContext { Options = options, Pinning = pinning, WorkDir = workDir, Mock = mock, Results = results, Cancellation = cancel.Token };
        bool complete = false;
        try
        {
            await RunPhasesAsync(context, root, binary, mockUrl);
            complete = true;
        }
        finally
        {
            foreach (ITarget target in context.Targets)
            {
                await target.DisposeAsync();
            }

            await mock.StopAsync(TimeSpan.FromSeconds(5));
            mock.Dispose();
            if (complete)
            {
                Directory.Delete(workDir, recursive: true);
            }
            else
            {
                Console.Error.WriteLine($"bench: incomplete; logs kept in {workDir}");
            }
        }

        results.Elapsed = total.Elapsed;
        string report = MarkdownReport.Render(results, options);
        Console.WriteLine(report);
        string output = options.Output ?? Path.Combine(root, "bench", "results", "latest.md");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, report);
        BenchContext.Progress($"report written to {output} ({total.Elapsed.TotalMinutes:N1} min)");
        return 0;
    }

    private static async Task RunPhasesAsync(BenchContext context, string root, DaemonBinary binary, Uri mockUrl)
    {
        BenchResults results = context.Results;
        string ledger = Path.Combine(context.WorkDir, "ledger.db");
        string config = Path.Combine(context.WorkDir, "llmd.json");
        string openAiSocket = Path.Combine(context.WorkDir, "llmd-openai.sock");
        await File.WriteAllTextAsync(config, DaemonConfig.Json(mockUrl, ledger, context.Options.Durability, openAiSocket));
        await MeasureReadyAsync(context, binary, config);
        string socket = Path.Combine(context.WorkDir, "llmd.sock");
        (ChildProcess daemonProcess, TimeSpan serving) = await DaemonProcess.StartAsync(binary, context.Pinning, config, socket, context.WorkDir);
        results.ExecToServing = serving;
        using ChildProcess daemon = daemonProcess;
        (ChildProcess Process, Uri Url)? started = await StartPortkeyAsync(context, root);
        ChildProcess? portkey = started?.Process;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3), context.Cancellation);
            long daemonIdle = ProcStat.MemoryBytes(daemon.Pid, "VmRSS");
            long portkeyIdle = portkey is null ? 0 : ProcStat.MemoryBytes(portkey.Pid, "VmRSS");
            using HttpClient http = HttpTargets.SharedClient();
            using HttpClient openAiHttp = HttpTargets.UnixSocketClient(openAiSocket);
            var daemonTarget = new DaemonTarget(socket, daemon.Pid);
            HttpTarget openAiTarget = HttpTargets.DaemonOpenAi(openAiHttp, daemon.Pid);
            await AddTargetsAsync(context, http, mockUrl, daemonTarget, openAiTarget, started);
            results.Paths.AddRange(context.Targets.Select(t => t.Name));

            await LoadPhases.ClosedAsync(context);
            await LoadPhases.OpenAsync(context);
            await StreamPhases.StreamAsync(context);
            await StreamPhases.FallbackAsync(context);
            results.Drift = await DaemonPhases.LongRunAsync(context, daemonTarget);

            BenchContext.Progress("memory after load: 10 s quiet");
            results.Memory[daemonTarget.Name] = await DaemonPhases.AfterLoadAsync(daemon.Pid, daemonIdle, TimeSpan.FromSeconds(10), context.Cancellation);
            if (portkey is not null)
            {
                results.Memory[HttpTargets.PortkeyName] = new MemoryResult(portkeyIdle, ProcStat.MemoryBytes(portkey.Pid, "VmHWM"), ProcStat.MemoryBytes(portkey.Pid, "VmRSS"));
            }

            results.DaemonExitCode = await daemon.StopAsync(TimeSpan.FromSeconds(30));
            results.Ledger = DaemonPhases.CheckLedger(ledger, daemonTarget, openAiTarget);
        }
        finally
        {
            if (portkey is not null)
            {
                await portkey.StopAsync(TimeSpan.FromSeconds(5));
                portkey.Dispose();
            }

            await daemon.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Three starts as PID 1 with NOTIFY_SOCKET, each stopped again, before the daemon under load starts.</summary>
    private static async Task MeasureReadyAsync(BenchContext context, DaemonBinary binary, string config)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            (TimeSpan? ready, string? why) = await DaemonProcess.ExecToReadyAsync(binary, context.Pinning, config, context.WorkDir, attempt);
            context.Results.ExecToReadyNote = why;
            if (ready is null)
            {
                return;
            }

            context.Results.ExecToReady.Add(ready.Value);
        }
    }

    private static async Task<(ChildProcess Process, Uri Url)?> StartPortkeyAsync(BenchContext context, string root)
    {
        if (context.Options.SkipPortkey)
        {
            context.Results.Notes.Add("Portkey was skipped (--skip-portkey).");
            return null;
        }

        try
        {
            return await PortkeyProcess.StartAsync(context.Pinning, root, context.WorkDir);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or TimeoutException)
        {
            context.Results.Notes.Add("Portkey could not start: " + e.Message.Split('\n')[0]);
            return null;
        }
    }

    /// <summary>The paths in report order; each is checked with one call before any load.</summary>
    private static async Task AddTargetsAsync(
        BenchContext context, HttpClient http, Uri mockUrl, DaemonTarget daemon, HttpTarget daemonOpenAi, (ChildProcess Process, Uri Url)? portkey)
    {
        context.Targets.Add(await CheckedAsync(HttpTargets.Direct(http, mockUrl), context, required: true));
        context.Targets.Add(await CheckedAsync(daemon, context, required: true));
        context.Targets.Add(await CheckedAsync(daemonOpenAi, context, required: false));
        ITarget portkeyTarget = portkey is { } running
            ? HttpTargets.Portkey(http, running.Url, mockUrl, running.Process.Pid)
            : new PlannedTarget(HttpTargets.PortkeyName, "n/a: not running (see notes)");
        context.Targets.Add(await CheckedAsync(portkeyTarget, context, required: false));
    }

    private static async Task<ITarget> CheckedAsync(ITarget target, BenchContext context, bool required)
    {
        if (target.Unsupported(Workload.Plain) is not null)
        {
            return target;
        }

        string answer;
        try
        {
            answer = await target.SampleAsync(context.Cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or Grpc.Core.RpcException)
        {
            answer = e.Message;
        }

        if (answer.Contains(Expected, StringComparison.Ordinal))
        {
            return target;
        }

        string why = $"{target.Name} does not answer through the mock: {answer[..Math.Min(answer.Length, 300)]}";
        if (required)
        {
            throw new InvalidOperationException(why);
        }

        context.Results.Notes.Add(why);
        await target.DisposeAsync();
        return new PlannedTarget(target.Name, "n/a: the check call failed (see notes)");
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root");
    }
}
