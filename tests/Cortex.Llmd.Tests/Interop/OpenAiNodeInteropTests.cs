using System.Globalization;
using System.Text.Json;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Interop;

/// <summary>
/// The official `openai` npm package, unmodified, against the daemon's OpenAI-compatible door over
/// loopback TCP and the door's Unix socket: answers, streams, tool calls, json_schema fallback and typed
/// errors, each checked against what the mock providers were configured to report and what the daemon
/// recorded. A missing node or SDK fails the fixture: these tests are never skipped.
/// </summary>
[TestFixture]
public sealed class OpenAiNodeInteropTests
{
    private const string PricedAnswer = "The capital of France is Paris.";
    private const string FittingCity = """{"city":"Paris","population":2102650}""";

    // The "priced" provider's fixed usage, and its price per million tokens, in the door's terms:
    // prompt_tokens = input + cached + cache-write, completion_tokens = output (reasoning included).
    private const long PromptTokens = 1000 + 200 + 30;
    private const long CompletionTokens = 400;
    private const long CostNanoUsd = (1000 * 3000) + (200 * 300) + (30 * 3750) + (400 * 15000);

    // The "cut" provider's stream breaks after this many 5-character pieces.
    private const int CutAfterChunks = 50;

    private static readonly TimeSpan ServerWait = TimeSpan.FromSeconds(5);

    private string _socketDirectory = string.Empty;
    private TestDaemon? _daemon;
    private OpenAiNodeClient? _client;

    private TestDaemon Daemon => _daemon ?? throw new InvalidOperationException("The daemon has not started.");

    private OpenAiNodeClient Client => _client ?? throw new InvalidOperationException("The daemon has not started.");

    [OneTimeSetUp]
    public async Task StartDaemonAsync()
    {
        string repoRoot = RepositoryRoot.Find();
        _socketDirectory = TempDirectory.Create();
        (string baseUrl, string socketPath, string openAiSection) = OpenAiNodeClient.Endpoints(_socketDirectory);
        _client = new OpenAiNodeClient(repoRoot, baseUrl, socketPath);
        await _client.CheckToolchainAsync();
        _daemon = await TestDaemon.StartFromJsonAsync(Config(openAiSection));
    }

    [OneTimeTearDown]
    public async Task StopDaemonAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        TempDirectory.Delete(_socketDirectory);
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task Complete_OpenAiSdk_GetsAnswerUsageAndCortexHeaders(string transport)
    {
        using DaemonProbe probe = DaemonProbe.Start(Daemon);

        JsonElement observed = await Client.RunAsync("complete", transport);

        Assert.That(Text(observed, "content"), Is.EqualTo(PricedAnswer));
        Assert.That((Text(observed, "object"), Text(observed, "role"), Text(observed, "finish_reason")), Is.EqualTo(("chat.completion", "assistant", "stop")));
        Assert.That(Text(observed, "model"), Is.EqualTo("cortex/priced"), "the id the caller sent; the headers name the target");
        AssertPricedUsage(observed.GetProperty("usage"));
        JsonElement headers = observed.GetProperty("headers");
        Assert.That((Text(headers, "provider"), Text(headers, "model"), Text(headers, "attempts")), Is.EqualTo(("priced", "priced-1", "1")));
        Assert.That(Text(headers, "cost-nano-usd"), Is.EqualTo(CostNanoUsd.ToString(CultureInfo.InvariantCulture)));

        RequestFinished finished = await probe.WaitForRequestAsync(Text(headers, "request-id"), ServerWait);
        Assert.That((finished.Status, finished.Door, finished.Route, finished.Provider), Is.EqualTo(("OK", "openai", "priced", "priced")));
        Assert.That((finished.Usage.InputTokens, finished.Usage.OutputTokens, finished.Cost.NanoUsd), Is.EqualTo((1000UL, 400UL, CostNanoUsd)));
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task Stream_OpenAiSdkWithIncludeUsage_JoinsChunksAndEndsWithUsageChunk(string transport)
    {
        using DaemonProbe probe = DaemonProbe.Start(Daemon);

        JsonElement observed = await Client.RunAsync("stream", transport);

        Assert.That(Text(observed, "content"), Is.EqualTo(PricedAnswer));
        Assert.That(Number(observed, "content_chunks"), Is.EqualTo(PricedAnswer.Split(' ').Length), "the mock streams one word per chunk");
        Assert.That(Text(observed, "finish_reason"), Is.EqualTo("stop"));
        Assert.That(observed.GetProperty("ids").GetArrayLength(), Is.EqualTo(1), "every chunk carries the completion's one id");
        Assert.That(observed.GetProperty("models").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { "cortex/priced" }));
        JsonElement[] usageChunks = [.. observed.GetProperty("usage_chunks").EnumerateArray()];
        Assert.That(usageChunks, Has.Length.EqualTo(1), "include_usage: exactly one chunk carries usage");
        Assert.That((Number(usageChunks[0], "index"), Number(usageChunks[0], "choices")), Is.EqualTo((Number(observed, "chunks"), 0L)),
            "the usage chunk is the last one and has no choices");
        AssertPricedUsage(usageChunks[0].GetProperty("usage"));

        RequestFinished finished = await probe.WaitForRequestAsync(Text(observed.GetProperty("headers"), "request-id"), ServerWait);
        Assert.That((finished.Status, finished.Door, finished.Provider, finished.Usage.OutputTokens), Is.EqualTo(("OK", "openai", "priced", 400UL)));
        Assert.That(finished.Cost.NanoUsd, Is.EqualTo(CostNanoUsd), "a stream's extras travel as trailers, which fetch does not expose; the ledger has them");
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task StreamHelper_OpenAiSdkWithTools_JoinsDeltasIntoOneWholeCall(string transport)
    {
        JsonElement observed = await Client.RunAsync("stream-tools", transport);

        Assert.That((Text(observed, "finish_reason"), Text(observed, "content")), Is.EqualTo(("tool_calls", "Hello from mock-1: What is the weather in Paris?")));
        Assert.That(Number(observed, "content_events"), Is.EqualTo(9L), "one content.delta event per streamed word");
        JsonElement[] calls = [.. observed.GetProperty("tool_calls").EnumerateArray()];
        Assert.That(calls, Has.Length.EqualTo(1));
        Assert.That((Text(calls[0], "type"), Text(calls[0], "name"), Text(calls[0], "arguments")), Is.EqualTo(("function", "get_weather", """{"mock":true}""")));
        Assert.That(Text(calls[0], "id"), Does.StartWith("call_mock_"));
        Assert.That(observed.GetProperty("usage").ValueKind, Is.EqualTo(JsonValueKind.Object), "include_usage reached the helper's final completion");
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task Stream_ProviderFailsAfterFirstPieces_SdkRaisesInsteadOfEndingCleanly(string transport)
    {
        using DaemonProbe probe = DaemonProbe.Start(Daemon);

        JsonElement observed = await Client.RunAsync("stream-fail", transport);

        // More text than the refusal hold-back window, so the answer has started when the provider fails.
        Assert.That((Number(observed, "status"), Text(observed, "content")), Is.EqualTo((200L, string.Concat(Enumerable.Repeat("tick ", CutAfterChunks)))));
        JsonElement error = observed.GetProperty("error");
        Assert.That(error.ValueKind, Is.EqualTo(JsonValueKind.Object), "the SDK ended the stream without an error: " + observed);
        Assert.That((Text(error, "class"), error.GetProperty("instance_of_expected").GetBoolean()), Is.EqualTo(("APIError", true)), error.ToString());
        Assert.That((Text(error, "type"), Text(error, "code")), Is.EqualTo(("server_error", "stream_interrupted")), error.ToString());
        Assert.That(Text(error, "message"), Does.Contain($"cut after {CutAfterChunks} chunks"), error.ToString());

        RequestFinished finished = await probe.WaitForRequestAsync(Text(observed.GetProperty("headers"), "request-id"), ServerWait);
        Assert.That((finished.Door, finished.Provider), Is.EqualTo(("openai", "cut")));
        Assert.That(finished.Status, Is.Not.EqualTo("OK"));
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task ToolCalls_OpenAiSdkRoundTrip_CallThenResultThenTextAnswer(string transport)
    {
        using DaemonProbe probe = DaemonProbe.Start(Daemon);

        JsonElement observed = await Client.RunAsync("tools", transport);

        JsonElement first = observed.GetProperty("first");
        Assert.That(Text(first, "finish_reason"), Is.EqualTo("tool_calls"));
        JsonElement[] calls = [.. first.GetProperty("tool_calls").EnumerateArray()];
        Assert.That(calls, Has.Length.EqualTo(1));
        Assert.That((Text(calls[0], "type"), Text(calls[0], "name"), Text(calls[0], "arguments")), Is.EqualTo(("function", "get_weather", """{"mock":true}""")));
        Assert.That(Text(calls[0], "id"), Does.StartWith("call_mock_"));
        Assert.That(observed.GetProperty("sent_messages").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { "user", "assistant", "tool" }));

        JsonElement second = observed.GetProperty("second");
        Assert.That((Text(second, "finish_reason"), Text(second, "content")), Is.EqualTo(("stop", "Hello from mock-1: What is the weather in Paris?")));
        Assert.That(second.GetProperty("tool_calls").GetArrayLength(), Is.Zero);
        Assert.That(Text(second.GetProperty("headers"), "attempts"), Is.EqualTo("1"));

        // The mock counts one input token per 4 characters of every message's text, so the second
        // request's prompt_tokens show the tool's result reached the provider, not only the user's turn.
        string[] sent = [.. observed.GetProperty("sent_text").EnumerateArray().Select(t => t.GetString() ?? string.Empty)];
        Assert.That(sent[2], Does.Contain("temperature_c"), "the tool result the SDK sent");
        long expectedInput = (sent.Sum(t => (long)t.Length) + 3) / 4;
        Assert.That(Number(second.GetProperty("usage"), "prompt_tokens"), Is.EqualTo(expectedInput), "input tokens of user + assistant + tool text");
        RequestFinished finished = await probe.WaitForRequestAsync(Text(second.GetProperty("headers"), "request-id"), ServerWait);
        Assert.That((finished.Door, finished.Usage.InputTokens), Is.EqualTo(("openai", (ulong)expectedInput)));
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task JsonSchema_FirstTargetOffSchema_FallsBackToFittingAnswer(string transport)
    {
        using DaemonProbe probe = DaemonProbe.Start(Daemon);

        JsonElement observed = await Client.RunAsync("schema", transport);

        Assert.That(Text(observed, "content"), Is.EqualTo(FittingCity));
        JsonElement parsed = observed.GetProperty("parsed");
        Assert.That((Text(parsed, "city"), Number(parsed, "population")), Is.EqualTo(("Paris", 2102650L)));
        JsonElement headers = observed.GetProperty("headers");
        Assert.That((Text(headers, "attempts"), Text(headers, "provider"), Text(headers, "model")), Is.EqualTo(("2", "fits", "fits-1")));

        RequestFinished finished = await probe.WaitForRequestAsync(Text(headers, "request-id"), ServerWait);
        Assert.That(finished.Attempts.Select(a => (a.Provider, a.Outcome)),
            Is.EqualTo(new[] { ("offschema", AttemptOutcome.InvalidAnswer), ("fits", AttemptOutcome.Success) }));
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task Errors_OpenAiSdk_RaisesTypedErrorsWithStatusAndParam(string transport)
    {
        JsonElement observed = await Client.RunAsync("errors", transport);

        AssertTypedError(observed.GetProperty("unknown_model"), "NotFoundError", 404, "model");
        Assert.That(Text(observed.GetProperty("unknown_model"), "message"), Does.Contain("nosuch/model-9").And.Contain("cortex/default"),
            "the 404 names the model and lists valid ones");
        AssertTypedError(observed.GetProperty("bad_tool_name"), "BadRequestError", 400, "tools[0].function.name");
        AssertTypedError(observed.GetProperty("all_failed"), "InternalServerError", 502, null);
        Assert.That(Text(observed.GetProperty("all_failed"), "message"), Does.Contain("broken"), "the attempt log names the failed target");
        Assert.That(Text(observed, "budget_first_content"), Is.EqualTo(PricedAnswer), "the call that spent past the budget");
        AssertTypedError(observed.GetProperty("over_budget"), "RateLimitError", 429, null);
        Assert.That((Text(observed.GetProperty("over_budget"), "type"), Text(observed.GetProperty("over_budget"), "code")),
            Is.EqualTo(("insufficient_quota", "budget_exhausted")));
        Assert.That(Text(observed.GetProperty("over_budget"), "message"), Does.Contain($"tenant capped-{transport}"), "the tenant named by the x-cortex-tenant header");
    }

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task Models_OpenAiSdkList_HasRoutesTasksAndTargets(string transport)
    {
        JsonElement observed = await Client.RunAsync("models", transport);

        string[] ids = [.. observed.GetProperty("models").EnumerateArray().Select(m => Text(m, "id"))];
        Assert.That(ids, Is.SupersetOf(new[] { "cortex/auto", "cortex/default", "cortex/schema", "cortex/task/user_chat", "priced/priced-1", "fits/fits-1" }));
        Assert.That(observed.GetProperty("models").EnumerateArray().Select(m => Text(m, "object")).Distinct(), Is.EqualTo(new[] { "model" }));
    }

    [Test]
    public async Task GetStats_GroupedByDoor_CountsSdkCallsBesideGrpcCalls()
    {
        using var grpc = new CortexLlmClient(Daemon.SocketPath);
        using DaemonProbe probe = DaemonProbe.Start(Daemon);
        Dictionary<string, StatsGroup> before = await DoorsAsync(grpc);

        JsonElement overTcp = await Client.RunAsync("complete", "tcp");
        JsonElement overUnix = await Client.RunAsync("complete", "unix");
        await grpc.CompleteAsync(new CompleteRequest { Route = "priced", Messages = { new Message { Role = Role.User, Content = "hi" } } });
        foreach (JsonElement observed in new[] { overTcp, overUnix })
        {
            // Stats are recorded before RequestFinished is published: once it is seen, the row is counted.
            await probe.WaitForRequestAsync(Text(observed.GetProperty("headers"), "request-id"), ServerWait);
        }

        Dictionary<string, StatsGroup> after = await DoorsAsync(grpc);
        Assert.That(Delta(before, after, "openai", g => g.Requests), Is.EqualTo(2UL), "openai door requests");
        Assert.That(Delta(before, after, "grpc", g => g.Requests), Is.EqualTo(1UL), "grpc door requests");
        Assert.That(Delta(before, after, "openai", g => (ulong)g.Cost.NanoUsd), Is.EqualTo(2UL * CostNanoUsd), "openai door cost");
        Assert.That(Delta(before, after, "openai", g => g.Usage.OutputTokens), Is.EqualTo(2UL * CompletionTokens), "openai door output tokens");
    }

    private static async Task<Dictionary<string, StatsGroup>> DoorsAsync(CortexLlmClient grpc)
    {
        GetStatsResponse stats = await grpc.GetStatsAsync(new GetStatsRequest { GroupBy = GroupBy.Door });
        return stats.Groups.ToDictionary(g => g.Key, StringComparer.Ordinal);
    }

    private static ulong Delta(Dictionary<string, StatsGroup> before, Dictionary<string, StatsGroup> after, string door, Func<StatsGroup, ulong> value)
    {
        Assert.That(after, Does.ContainKey(door), $"GetStats by door has no '{door}' group: [{string.Join(", ", after.Keys)}]");
        return value(after[door]) - (before.TryGetValue(door, out StatsGroup? old) ? value(old) : 0UL);
    }

    private static void AssertPricedUsage(JsonElement usage)
    {
        Assert.That((Number(usage, "prompt_tokens"), Number(usage, "completion_tokens"), Number(usage, "total_tokens")),
            Is.EqualTo((PromptTokens, CompletionTokens, PromptTokens + CompletionTokens)));
        Assert.That(Number(usage.GetProperty("prompt_tokens_details"), "cached_tokens"), Is.EqualTo(200L));
        Assert.That(Number(usage.GetProperty("completion_tokens_details"), "reasoning_tokens"), Is.EqualTo(50L));
    }

    private static void AssertTypedError(JsonElement error, string className, int status, string? param)
    {
        Assert.That(error.GetProperty("threw").GetBoolean(), Is.True, $"expected {className}, but the call succeeded: {error}");
        Assert.That((Text(error, "class"), error.GetProperty("instance_of_expected").GetBoolean(), error.GetProperty("is_api_error").GetBoolean()),
            Is.EqualTo((className, true, true)), error.ToString());
        Assert.That(Number(error, "status"), Is.EqualTo(status), error.ToString());
        Assert.That(error.GetProperty("param").ValueKind == JsonValueKind.Null ? null : Text(error, "param"), Is.EqualTo(param), error.ToString());
    }

    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString() ?? string.Empty;

    private static long Number(JsonElement element, string name) => element.GetProperty(name).GetInt64();

    private static string Config(string openAiSection) => $$"""
        {
          "logging": { "level": "warning" },
          "openai": {{openAiSection}},
          "providers": {
            "mock": { "kind": "mock", "defaultModel": "mock-1", "reply": "Hello from {model}: {prompt}" },
            "priced": {
              "kind": "mock", "defaultModel": "priced-1", "reply": "{{PricedAnswer}}",
              "usage": { "inputTokens": 1000, "cachedInputTokens": 200, "cacheWriteTokens": 30, "outputTokens": 400, "reasoningTokens": 50 },
              "models": { "priced-1": { "price": { "input": "3", "cachedInput": "0.30", "cacheWrite": "3.75", "output": "15" } } }
            },
            "offschema": { "kind": "mock", "defaultModel": "offschema-1", "reply": "{\"city\":\"Paris\"}", "retries": 0 },
            "fits": { "kind": "mock", "defaultModel": "fits-1", "reply": "{{FittingCity.Replace("\"", "\\\"", StringComparison.Ordinal)}}" },
            "broken": { "kind": "mock", "defaultModel": "broken-1", "failure": "error", "retries": 0 },
            "cut": { "kind": "mock", "defaultModel": "cut-1", "reply": "tick ", "repeat": 100, "failAfterChunks": {{CutAfterChunks}}, "retries": 0 }
          },
          "routes": {
            "default": { "targets": ["mock/mock-1"] },
            "priced": { "targets": ["priced/priced-1"] },
            "schema": { "targets": ["offschema/offschema-1", "fits/fits-1"] },
            "broken": { "targets": ["broken/broken-1"] },
            "cut": { "targets": ["cut/cut-1"] }
          },
          "tasks": { "default": "default" },
          "budgets": [
            { "name": "capped-tcp", "scope": "tenant", "match": "capped-tcp", "daily": "0.000001" },
            { "name": "capped-unix", "scope": "tenant", "match": "capped-unix", "daily": "0.000001" }
          ],
          "validation": { "rejectEmpty": false },
          "health": { "breaker": { "minimumThroughput": 1000 }, "probes": { "enabled": false } }
        }
        """;
}
