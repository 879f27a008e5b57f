using System.Diagnostics;
using System.Text.Json;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Grpc.Core;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

[TestFixture]
public sealed class EventsCommandTests : CliTestBase
{
    private static readonly Event[] Events =
    [
        new() { TimeUnixMs = 1_700_000_000_000, StatsReset = new StatsReset { WindowStartUnixMs = 1_700_000_000_000 } },
        new()
        {
            TimeUnixMs = 1_700_000_001_000,
            DroppedBefore = 2,
            ProviderStateChanged = new ProviderStateChanged { Provider = "openai", Model = "gpt-x", Previous = ProviderState.Healthy, Current = ProviderState.Degraded, Reason = "slow" },
        },
        new() { TimeUnixMs = 1_700_000_002_000, RequestFinished = new RequestFinished { RequestId = "req-1", Status = "ok", Provider = "mock", Model = "m", Door = "openai" } },
    ];

    [Test]
    public async Task Events_Json_WritesOneObjectPerLineAndSendsKinds()
    {
        WatchEventsRequest? seen = null;
        Router.OnWatchEvents = async (request, stream, _) =>
        {
            seen = request;
            foreach (Event item in Events)
            {
                await stream.WriteAsync(item);
            }
        };

        CliRun run = await RunAsync("events", "--json", "--kind", "stats-reset", "--kind", "provider-state-changed");

        string[] lines = run.StdoutLines;
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(lines, Has.Length.EqualTo(3));
        string[] kinds = lines.Select(line =>
        {
            using JsonDocument json = JsonDocument.Parse(line);
            return json.RootElement.EnumerateObject().Select(p => p.Name).Single(n => n is "statsReset" or "providerStateChanged" or "requestFinished");
        }).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(kinds, Is.EqualTo(new[] { "statsReset", "providerStateChanged", "requestFinished" }));
            Assert.That(seen!.Kinds, Is.EqualTo(new[] { EventKind.StatsReset, EventKind.ProviderStateChanged }));
        });
    }

    [Test]
    public async Task Events_Human_WritesOneLinePerEventAndDropNotice()
    {
        Router.OnWatchEvents = async (_, stream, _) =>
        {
            foreach (Event item in Events)
            {
                await stream.WriteAsync(item);
            }
        };

        CliRun run = await RunAsync("events");

        Assert.That(run.StdoutLines, Is.EqualTo(new[]
        {
            "2023-11-14T22:13:20Z stats-reset window-start=2023-11-14T22:13:20Z",
            "2023-11-14T22:13:21Z dropped 2 events (reading too slowly)",
            "2023-11-14T22:13:21Z provider-state-changed openai/gpt-x healthy -> degraded (slow)",
            "2023-11-14T22:13:22Z request-finished req-1 status=ok mock/m task=- route=- door=openai attempts=0 latency=- tokens=0/0 cost=-",
        }));
    }

    [Test]
    public async Task Events_SkippedTargets_CountedApartFromAttempts()
    {
        var finished = new RequestFinished { RequestId = "req-2", Status = "OK", Provider = "b", Model = "m" };
        finished.Attempts.Add(new Attempt { Provider = "a", Model = "m", Outcome = AttemptOutcome.Skipped, Reason = "skipped: rate limited until 12:00:00Z (Retry-After 120s)" });
        finished.Attempts.Add(new Attempt { Provider = "b", Model = "m", Outcome = AttemptOutcome.Success, LatencyUs = 1500 });
        Router.OnWatchEvents = (_, stream, _) => stream.WriteAsync(new Event { TimeUnixMs = 1_700_000_002_000, RequestFinished = finished });

        CliRun run = await RunAsync("events");

        Assert.That(run.StdoutLines.Single(), Does.Contain(" attempts=1 skipped=1 "), run.ToString());
    }

    [TestCase("events", 0)]
    [TestCase("complete", 130)]
    public async Task RealProcess_SigintWhileWaiting_ExitsWithDocumentedCode(string command, int exitCode)
    {
        // Ctrl-C handling needs a real process: signals cannot be delivered to an in-process run.
        TaskCompletionSource started = Signal();
        TaskCompletionSource aborted = Signal();
        async Task HangAsync(ServerCallContext context)
        {
            await context.WriteResponseHeadersAsync(new Metadata());
            await HangUntilCancelledAsync(context, aborted, started);
        }

        Router.OnWatchEvents = (_, _, context) => HangAsync(context);
        Router.OnStreamComplete = (_, _, context) => HangAsync(context);
        string[] args = command == "events" ? ["events"] : ["complete", "hi"];

        using Process process = StartCli([.. args, "--socket", Server.SocketPath]);
        await Within(started.Task, 20);
        using (Process kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Within(process.WaitForExitAsync(), 20);
        await Within(aborted.Task);
        Assert.That(process.ExitCode, Is.EqualTo(exitCode), await process.StandardError.ReadToEndAsync());
    }

    /// <summary>
    /// The CLI from its own build output: the copy beside the tests resolves Grpc.Net.Client's logging
    /// dependency from the ASP.NET Core framework the tests run on, which the CLI does not load.
    /// </summary>
    private static string CliExecutable()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string framework = testOutput.Name;
        string configuration = testOutput.Parent!.Name;
        for (DirectoryInfo? dir = testOutput; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Client", "cortex-llm", "bin", configuration, framework, "cortex-llm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"cortex-llm is not built for {configuration}/{framework}.");
    }

    /// <summary>
    /// Starts the CLI through coreutils' env with SIGINT back at its default disposition: an ignored SIGINT
    /// is inherited across exec (a test run started with nohup or in the background), and a process that
    /// ignores SIGINT never sees the Ctrl-C these tests send. env then execs the CLI, so the pid is the CLI's.
    /// </summary>
    private static Process StartCli(string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add(CliExecutable());
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cortex-llm did not start.");
    }
}
