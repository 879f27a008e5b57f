using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Cortex.Llm.Client;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Bench;

/// <summary>
/// Starts the built daemon as its own process with a zero-latency mock, then measures what the daemon
/// adds: start-up, idle and loaded memory, per-call overhead, throughput and streaming rate.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions options = BenchOptions.Parse(args);
        string dir = Path.Combine("/tmp", "cllmd-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        string socket = Path.Combine(dir, "llmd.sock");
        string config = Path.Combine(dir, "bench.json");
        await File.WriteAllTextAsync(config, BenchConfig.Replace("LEDGER_PATH", Path.Combine(dir, "ledger.db"), StringComparison.Ordinal));

        var results = new List<(string Name, string Value, string Target)>();
        using Process daemon = StartDaemon(options.DaemonDll, config, socket);
        try
        {
            TimeSpan startup = await WaitForSocketAsync(daemon, socket);
            results.Add(("start to listening (process spawn included)", Ms(startup), "< 1000 ms"));
            using var client = new CortexLlmClient(socket);
            await Task.Delay(TimeSpan.FromSeconds(2));
            results.Add(("idle RSS", Mb(Rss(daemon.Id, "VmRSS")), "<= 25 MB for the packaged Native AOT build (this bench runs the JIT build; the package test measures the AOT one)"));

            await Measure.SequentialAsync(client, Request("warm-up"), options.Calls / 2);
            Measure.Stats health = await Measure.HealthAsync(client, options.Calls);
            Measure.Stats complete = await Measure.SequentialAsync(client, Request("bench"), options.Calls);
            results.Add(("Health/Check round trip p50 / p99 (transport floor)", $"{Us(health.P50)} / {Us(health.P99)}", string.Empty));
            results.Add(("Complete round trip p50 / p99 (mock answers in 0 ms, ledger row committed first)", $"{Us(complete.P50)} / {Us(complete.P99)}", "p50 < 1000 µs"));
            results.Add(("  routing overhead above transport, p50", Us(complete.P50 - health.P50), string.Empty));

            double perSecond = await Measure.ConcurrentAsync(client, Request("load"), options.Calls * 2, options.Concurrency);
            results.Add(($"Complete throughput at concurrency {options.Concurrency}", perSecond.ToString("N0", CultureInfo.InvariantCulture) + " calls/s", string.Empty));

            (int chunks, TimeSpan elapsed) = await Measure.StreamAsync(client);
            results.Add(($"StreamComplete of {chunks} chunks", $"{Ms(elapsed)} ({chunks / elapsed.TotalSeconds:N0} chunks/s)", string.Empty));
            results.Add(("RSS after load / peak", $"{Mb(Rss(daemon.Id, "VmRSS"))} / {Mb(Rss(daemon.Id, "VmHWM"))}", string.Empty));
        }
        finally
        {
            Process.Start("kill", ["-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            daemon.WaitForExit(10_000);
            Directory.Delete(dir, recursive: true);
        }

        Print(results, options);
        return 0;
    }

    private const string BenchConfig = """
        {
          "logging": { "level": "warning" },
          "ledger": { "path": "LEDGER_PATH" },
          "health": { "probes": { "enabled": false } },
          "providers": {
            "mock": { "kind": "mock", "reply": "ok" },
            "stream": { "kind": "mock", "reply": "tick ", "repeat": 20000 }
          },
          "routes": { "default": { "targets": ["mock/bench"] }, "stream": { "targets": ["stream/bench"] } },
          "tasks": { "default": "default" }
        }
        """;

    internal static CompleteRequest Request(string prompt) =>
        new() { TaskType = TaskType.SystemOperation, Messages = { new Message { Role = Role.User, Content = prompt } } };

    private static Process StartDaemon(string dll, string config, string socket)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = false };
        foreach (string arg in new[] { dll, "--config", config, "--socket", socket })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start the daemon");
    }

    private static async Task<TimeSpan> WaitForSocketAsync(Process daemon, string socket)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (daemon.HasExited)
            {
                throw new InvalidOperationException("the daemon exited with " + daemon.ExitCode);
            }

            try
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(socket));
                return watch.Elapsed;
            }
            catch (SocketException)
            {
                await Task.Delay(5);
            }
        }

        throw new TimeoutException("the daemon did not listen within 30 s");
    }

    private static long Rss(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private static string Us(TimeSpan t) => (t.Ticks / 10.0).ToString("N0", CultureInfo.InvariantCulture) + " µs";

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    private static void Print(List<(string Name, string Value, string Target)> results, BenchOptions options)
    {
        Console.WriteLine($"cortex-llmd benchmark: {options.Calls} calls per phase, {Environment.ProcessorCount} cores, {options.DaemonDll}");
        int name = results.Max(r => r.Name.Length);
        int value = results.Max(r => r.Value.Length);
        foreach ((string n, string v, string t) in results)
        {
            Console.WriteLine($"  {n.PadRight(name)}  {v.PadLeft(value)}  {(t.Length > 0 ? "target " + t : string.Empty)}");
        }
    }
}
