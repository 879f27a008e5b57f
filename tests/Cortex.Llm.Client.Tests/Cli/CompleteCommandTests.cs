using System.Text.Json;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Cortex.Llm.Client.Tests.Client;
using Grpc.Core;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

[TestFixture]
public sealed class CompleteCommandTests : CliTestBase
{
    private static readonly CompleteResponse Final = new()
    {
        RequestId = "req-5",
        Provider = "mock",
        Model = "m1",
        Route = "fast",
        FinishReason = FinishReason.ToolCalls,
        Usage = new Usage { InputTokens = 7, OutputTokens = 5 },
        Cost = new Cost { NanoUsd = 123_000, Priced = true },
        LatencyUs = 1_250_000,
    };

    [Test]
    public async Task Complete_StreamedAnswer_PrintsDeltasNewlineAndToolCalls()
    {
        MapStream();

        CliRun run = await RunAsync("complete", "hi");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Stdout, Is.EqualTo("Hello, world\ntool_call get_weather {\"city\":\"Oslo\"}\n"));
            Assert.That(run.Stderr, Is.Empty, "no summary when stderr is not a terminal");
            Assert.That(Router.ReceivedPaths, Is.EqualTo(new[] { "/cortex.llm.v1.Router/StreamComplete" }));
        });
    }

    [Test]
    public async Task Complete_Verbose_WritesSummaryToStderr()
    {
        MapStream();

        CliRun run = await RunAsync("complete", "hi", "--verbose");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("mock/m1"));
            Assert.That(run.Stderr, Does.Contain("$0.000123").And.Contain("1.25s").And.Contain("7 in, 5 out"));
            Assert.That(run.Stdout, Does.Not.Contain("mock/m1"));
        });
    }

    [Test]
    public async Task Complete_JsonStreamed_PrintsFinalResponseWithAssembledContent()
    {
        MapStream();

        CliRun run = await RunAsync("complete", "hi", "--json");

        using JsonDocument json = JsonDocument.Parse(run.Stdout);
        JsonElement root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(root.GetProperty("content").GetString(), Is.EqualTo("Hello, world"));
            Assert.That(root.GetProperty("provider").GetString(), Is.EqualTo("mock"));
            Assert.That(root.GetProperty("usage").GetProperty("outputTokens").GetString(), Is.EqualTo("5"));
            Assert.That(root.GetProperty("cost").GetProperty("nanoUsd").GetString(), Is.EqualTo("123000"));
            Assert.That(root.GetProperty("toolCalls")[0].GetProperty("argumentsJson").GetString(), Is.EqualTo("{\"city\":\"Oslo\"}"));
            Assert.That(root.GetProperty("timeToFirstTokenUs").GetString(), Is.EqualTo("0"), "default values are written");
        });
    }

    [Test]
    public async Task Complete_NoStream_CallsCompleteAndPrintsContent()
    {
        Router.OnComplete = (_, _) => Task.FromResult(new CompleteResponse { Content = "whole answer" });

        CliRun run = await RunAsync("complete", "hi", "--no-stream");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.Stdout, Is.EqualTo("whole answer\n"));
            Assert.That(Router.ReceivedPaths, Is.EqualTo(new[] { "/cortex.llm.v1.Router/Complete" }));
        });
    }

    [Test]
    public async Task Complete_StdinDashAndRoutingOptions_MapIntoRequest()
    {
        CompleteRequest? seen = null;
        Router.OnComplete = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new CompleteResponse { Content = "ok" });
        };
        string schema = Path.GetTempFileName();
        await File.WriteAllTextAsync(schema, "{\"type\":\"object\"}");

        CliRun run = await RunWithStdinAsync(
            "why does nginx fail?\n",
            "complete", "-", "--no-stream", "--task", "error-debugging", "--route", "quality", "--provider", "openai",
            "--model", "gpt-x", "--system", "be brief", "--schema", schema, "--max-tokens", "64", "--temperature", "0.2",
            "--no-fallback", "--tenant", "acme", "--label", "team=ops", "--label", "ticket=42");
        File.Delete(schema);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(seen, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(seen!.Messages.Select(m => (m.Role, m.Content)), Is.EqualTo(new[] { (Role.System, "be brief"), (Role.User, "why does nginx fail?") }));
            Assert.That(seen.TaskType, Is.EqualTo(TaskType.ErrorDebugging));
            Assert.That((seen.Route, seen.Provider, seen.Model, seen.TenantId), Is.EqualTo(("quality", "openai", "gpt-x", "acme")));
            Assert.That(seen.ResponseJsonSchema, Is.EqualTo("{\"type\":\"object\"}"));
            Assert.That((seen.MaxTokens, seen.Temperature, seen.AllowFallback), Is.EqualTo(((uint?)64u, (double?)0.2, (bool?)false)));
            Assert.That(seen.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "ops", ["ticket"] = "42" }));
        });
    }

    [Test]
    public async Task Complete_DefaultOptions_LeaveOptionalFieldsUnset()
    {
        CompleteRequest? seen = null;
        Router.OnComplete = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new CompleteResponse());
        };

        CliRun run = await RunAsync("complete", "hi", "--no-stream");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That((seen!.AllowFallback, seen.MaxTokens, seen.Temperature, seen.TaskType), Is.EqualTo(((bool?)null, (uint?)null, (double?)null, TaskType.Unspecified)));
    }

    [Test]
    public async Task Complete_SchemaFileMissing_ExitsUsageWithoutCallingDaemon()
    {
        CliRun run = await RunAsync("complete", "hi", "--schema", "/nonexistent/schema.json");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("cortex-llm: cannot read --schema file /nonexistent/schema.json"));
            Assert.That(Router.ReceivedPaths, Is.Empty);
        });
    }

    [TestCase("--task", "poetry", "--task must be one of user-chat, requirement-parsing, ")]
    [TestCase("--temperature", "-1", "--temperature must be a number from 0 to 2, not '-1'.")]
    [TestCase("--temperature", "2.5", "--temperature must be a number from 0 to 2, not '2.5'.")]
    [TestCase("--temperature", "warm", "--temperature must be a number from 0 to 2, not 'warm'.")]
    [TestCase("--label", "novalue", "--label must look like key=value, not 'novalue'.")]
    [TestCase("--label", "=v", "--label must look like key=value, not '=v'.")]
    [TestCase("--timeout", "soon", "--timeout must be a duration such as 500ms, 30s, 5m or 1h30m, not 'soon'.")]
    [TestCase("--timeout", "0s", "--timeout must be a duration such as 500ms, 30s, 5m or 1h30m, not '0s'.")]
    [TestCase("--max-tokens", "many", "--max-tokens must be a whole number from 1 to 4294967295, not 'many'.")]
    [TestCase("--max-tokens", "-5", "--max-tokens must be a whole number from 1 to 4294967295, not '-5'.")]
    [TestCase("--max-tokens", "0", "--max-tokens must be a whole number from 1 to 4294967295, not '0'.")]
    [TestCase("--max-tokens", "4294967296", "--max-tokens must be a whole number from 1 to 4294967295, not '4294967296'.")]
    public async Task Complete_BadOptionValue_ExitsUsageWithOneMessageInCliWords(string option, string value, string message)
    {
        CliRun run = await RunAsync("complete", "hi", option, value);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("cortex-llm: " + message));
            Assert.That(run.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), "one message per bad value");
            Assert.That(run.Stderr, Does.Not.Contain("System."));
            Assert.That(Router.ReceivedPaths, Is.Empty);
        });
    }

    [TestCase("complete", "hi", "--no-such-option")]
    [TestCase("stats", "--group-by", "colour")]
    [TestCase("stats", "--since", "yesterday")]
    [TestCase("events", "--kind", "weather")]
    [TestCase("complete")]
    public async Task AnyCommand_UsageError_EveryLineHasTheCliPrefix(params string[] args)
    {
        CliRun run = await RunAsync(args);

        string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(lines, Is.Not.Empty.And.All.StartWith("cortex-llm: "));
            Assert.That(Router.ReceivedPaths, Is.Empty);
        });
    }

    [Test]
    public async Task Complete_EdgeOfEveryRange_IsAccepted()
    {
        CompleteRequest? seen = null;
        Router.OnComplete = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new CompleteResponse());
        };

        CliRun run = await RunAsync("complete", "hi", "--no-stream", "--max-tokens", "4294967295", "--temperature", "2", "--label", "k=");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That((seen!.MaxTokens, seen.Temperature, seen.Labels["k"]), Is.EqualTo(((uint?)uint.MaxValue, (double?)2.0, string.Empty)));
    }

    [Test]
    public async Task Complete_DaemonTooSlow_ExitsDeadlineExceeded()
    {
        Router.OnStreamComplete = (_, _, context) => HangUntilCancelledAsync(context, Signal());

        CliRun run = await RunAsync("complete", "hi", "--timeout", "200ms");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(4), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("cortex-llm: DEADLINE_EXCEEDED"));
        });
    }

    [Test]
    public async Task Complete_AllProvidersFailed_ExitsUnavailableAndPrintsAttempts()
    {
        var log = new AttemptLog
        {
            RequestId = "req-8",
            Attempts =
            {
                new Attempt { Provider = "openai", Model = "gpt-x", Outcome = AttemptOutcome.RateLimited, HttpStatus = 429, LatencyUs = 80_000, Reason = "rate limited" },
                new Attempt { Provider = "local", Model = "llama", Outcome = AttemptOutcome.Timeout, LatencyUs = 30_000_000, Reason = "no answer in 30s" },
            },
        };
        Router.OnStreamComplete = (_, _, _) =>
            throw new RpcException(new Status(StatusCode.Unavailable, "all 2 candidates failed"), UnaryCallTests.AttemptsTrailer(log));

        CliRun run = await RunAsync("complete", "hi");

        string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(6), run.ToString());
            Assert.That(lines[0], Is.EqualTo("cortex-llm: UNAVAILABLE: all 2 candidates failed"));
            Assert.That(lines[1], Is.EqualTo("request req-8, attempts:"));
            Assert.That(lines[2], Does.Match(@"^#\s+PROVIDER\s+MODEL\s+OUTCOME\s+HTTP\s+LATENCY\s+REASON$"));
            Assert.That(lines[3], Does.Match(@"^1\s+openai\s+gpt-x\s+rate-limited\s+429\s+80ms\s+rate limited$"));
            Assert.That(lines[4], Does.Match(@"^2\s+local\s+llama\s+timeout\s+-\s+30s\s+no answer in 30s$"));
        });
    }

    [Test]
    public async Task Complete_UnreachableSocket_ExitsUnreachableNamingPath()
    {
        string missing = UnaryCallTests.MissingSocket();

        CliRun run = await RunRawAsync(string.Empty, "complete", "hi", "--socket", missing);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Stderr, Is.EqualTo($"cortex-llm: cannot reach cortex-llmd at {missing}: no such socket (is cortex-llmd running?)\n"));
        });
    }

    private void MapStream() => Router.OnStreamComplete = async (_, stream, _) =>
    {
        await stream.WriteAsync(new CompleteChunk { ContentDelta = "Hello" });
        await stream.WriteAsync(new CompleteChunk { ContentDelta = ", world" });
        await stream.WriteAsync(new CompleteChunk { ToolCallDelta = new ToolCallDelta { Index = 0, Id = "c1", Name = "get_weather", ArgumentsDelta = "{\"city\":" } });
        await stream.WriteAsync(new CompleteChunk { ToolCallDelta = new ToolCallDelta { Index = 0, ArgumentsDelta = "\"Oslo\"}" } });
        await stream.WriteAsync(new CompleteChunk { Final = Final });
    };
}
