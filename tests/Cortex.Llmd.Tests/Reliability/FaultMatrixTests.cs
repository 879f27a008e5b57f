using System.Net;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// The fault matrix: every provider fault mode, against the real adapters and fake servers, with a
/// healthy second target, unary and streaming. Each case checks the status, the attempt log, the
/// number of calls the faulty server saw, and the ledger row. Each test gets a fresh daemon, so no
/// breaker or cooldown carries over; timeouts are short so the whole matrix takes seconds.
/// </summary>
public partial class FaultMatrixTests
{
    public const string MatrixRoute = "matrix";
    public const string RefusedRoute = "refused";
    private const string Faulty = "faulty";
    private const string Healthy = "healthy";
    private const string Closed = "closed";
    private const string JsonSchema = """{"type": "object", "required": ["ok"]}""";

    private FakeOpenAiServer _faulty = null!;
    private FakeAnthropicServer _healthy = null!;
    private int _closedPort;

    [OneTimeSetUp]
    public async Task StartFakes()
    {
        _faulty = await FakeOpenAiServer.StartNewAsync();
        // Long enough, and paced by the faults, that a mid-stream fault comes after text reached the caller.
        _faulty.Text = string.Join(' ', Enumerable.Repeat("long", 60));
        _healthy = await FakeAnthropicServer.StartNewAsync();
        _healthy.DefaultAnswer = new FakeAnthropicAnswer { Blocks = [new FakeTextBlock("""{"ok": true}""")] };
        _closedPort = LoopbackPorts.Free();
    }

    [OneTimeTearDown]
    public async Task StopFakes()
    {
        await _faulty.DisposeAsync();
        await _healthy.DisposeAsync();
    }

    [SetUp]
    public void ClearFaults()
    {
        _faulty.ClearFaults();
        _healthy.ClearFaults();
    }

    private static readonly (string, AttemptOutcome) HealthyAnswer = (Healthy, AttemptOutcome.Success);

    private static FaultExpectation FallsBack(AttemptOutcome outcome, int tries, uint http, string reason, string provider = Faulty) =>
        new(StatusCode.OK, [.. Enumerable.Repeat((provider, outcome), tries), HealthyAnswer], http, reason);

    private static FaultExpectation BreaksStream(AttemptOutcome outcome, uint http, string reason) =>
        new(StatusCode.Unavailable, [(Faulty, outcome)], http, reason);

    private static FaultMatrixCase Same(string name, ProviderFault fault, int repeat, FaultExpectation both) => new(name, fault, repeat, both, both);

    private static readonly ProviderFault Paced = new() { DelayBetweenChunks = TimeSpan.FromMilliseconds(3) };

    public static IEnumerable<FaultMatrixCase> Cases()
    {
        yield return Same("Http500", new ProviderFault { Status = 500 }, 2, FallsBack(AttemptOutcome.Error, 2, 500, "HTTP 500"));
        yield return Same("Http502", new ProviderFault { Status = 502 }, 2, FallsBack(AttemptOutcome.Error, 2, 502, "HTTP 502"));
        yield return Same("Http503", new ProviderFault { Status = 503 }, 2, FallsBack(AttemptOutcome.Error, 2, 503, "HTTP 503"));
        // A wait within retryMaxDelay is waited for, on the same target; a longer one falls back at once.
        yield return Same("Http429ShortRetryAfter", new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(1) }, 1,
            new FaultExpectation(StatusCode.OK, [(Faulty, AttemptOutcome.RateLimited), (Faulty, AttemptOutcome.Success)], 429, "rate limited"));
        yield return Same("Http429LongRetryAfter", new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(120) }, 1,
            FallsBack(AttemptOutcome.RateLimited, 1, 429, "rate limited"));
        yield return Same("Hang", new ProviderFault { DelayBeforeHeaders = TimeSpan.FromSeconds(30) }, 1,
            FallsBack(AttemptOutcome.Timeout, 1, 0, "no first token within 700ms"));
        yield return Same("Refused", ProviderFault.None, 0, FallsBack(AttemptOutcome.Error, 1, 0, "cannot connect", Closed)) with { Route = RefusedRoute };
        yield return new FaultMatrixCase("ResetMidBody", Paced with { ResetAfterEvents = 30 }, 2,
            FallsBack(AttemptOutcome.Error, 2, 200, "connection"), BreaksStream(AttemptOutcome.Error, 200, "connection"));
        yield return Same("MalformedJson", new ProviderFault { MalformedJson = true }, 2, FallsBack(AttemptOutcome.Error, 1, 200, "faulty"));
        yield return Same("EmptyChoices", new ProviderFault { EmptyChoices = true }, 1, FallsBack(AttemptOutcome.InvalidAnswer, 1, 200, "no choices"));
        yield return Same("Refusal", new ProviderFault { ReplaceText = "I'm sorry, but I can't help with that." }, 1,
            FallsBack(AttemptOutcome.Refusal, 1, 200, "refusal"));
        yield return Same("SchemaInvalid", ProviderFault.None, 0, FallsBack(AttemptOutcome.InvalidAnswer, 1, 200, "does not match the response schema")) with { WantsJson = true };
        yield return new FaultMatrixCase("TruncatedSse", Paced with { TruncateAfterEvents = 30 }, 2,
            FallsBack(AttemptOutcome.Error, 2, 200, "stream ended early"), BreaksStream(AttemptOutcome.Error, 200, "stream ended early"));
        yield return Same("StallBeforeFirstToken", new ProviderFault { StallAfterEvents = 0 }, 1,
            FallsBack(AttemptOutcome.Timeout, 1, 200, "no first token within 700ms"));
        yield return new FaultMatrixCase("StallMidStream", Paced with { StallAfterEvents = 30 }, 1,
            FallsBack(AttemptOutcome.Timeout, 1, 200, "timed out after 1500ms"), BreaksStream(AttemptOutcome.Timeout, 200, "timed out after 1500ms"));
        yield return Same("AllTargetsFailing", new ProviderFault { Status = 500 }, 2,
            new FaultExpectation(StatusCode.Unavailable, [(Faulty, AttemptOutcome.Error), (Faulty, AttemptOutcome.Error), (Healthy, AttemptOutcome.Error)], 500, "HTTP 500"))
            with { HealthyFault = new ProviderFault { Status = 500 } };
    }

    private static IEnumerable<TestCaseData> UnaryCases() => Cases().Select(c => new TestCaseData(c).SetName($"Complete_{c.Name}_FallsBackOrFailsAsTheMatrixSays"));

    private static IEnumerable<TestCaseData> StreamCases() => Cases().Select(c => new TestCaseData(c).SetName($"StreamComplete_{c.Name}_FallsBackOrFailsAsTheMatrixSays"));

    [TestCaseSource(nameof(UnaryCases))]
    public async Task Complete_FaultCase(FaultMatrixCase fault)
    {
        await using TestDaemon daemon = await StartDaemonAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);
        int before = Arm(fault);

        Observed seen;
        try
        {
            CompleteResponse response = await client.CompleteAsync(Ask(fault));
            seen = new Observed(StatusCode.OK, response.RequestId, [.. response.Attempts], response.Provider);
        }
        catch (RpcException ex)
        {
            seen = new Observed(ex.StatusCode, ex.GetAttemptLog()?.RequestId ?? string.Empty, [.. ex.GetAttemptLog()?.Attempts ?? []], null);
        }

        await AssertCaseAsync(daemon, fault, fault.Unary, seen, before);
    }

    [TestCaseSource(nameof(StreamCases))]
    public async Task StreamComplete_FaultCase(FaultMatrixCase fault)
    {
        await using TestDaemon daemon = await StartDaemonAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);
        int before = Arm(fault);

        Observed seen;
        var chunks = new List<CompleteChunk>();
        try
        {
            await foreach (CompleteChunk chunk in client.StreamCompleteAsync(Ask(fault)))
            {
                chunks.Add(chunk);
            }

            CompleteResponse final = chunks[^1].Final;
            seen = new Observed(StatusCode.OK, final.RequestId, [.. final.Attempts], final.Provider);
        }
        catch (RpcException ex)
        {
            seen = new Observed(ex.StatusCode, ex.GetAttemptLog()?.RequestId ?? string.Empty, [.. ex.GetAttemptLog()?.Attempts ?? []], null);
            Assert.That(chunks.Any(c => c.KindCase == CompleteChunk.KindOneofCase.Final), Is.False, "a failed stream never ends with a final chunk");
        }

        await AssertCaseAsync(daemon, fault, fault.Stream, seen, before);
    }

    private sealed record Observed(StatusCode Status, string RequestId, List<Attempt> Attempts, string? Provider);

    private int Arm(FaultMatrixCase fault)
    {
        _faulty.Enqueue([.. Enumerable.Repeat(fault.Fault, fault.Repeat)]);
        if (fault.HealthyFault is { } broken)
        {
            _healthy.Enqueue(broken);
        }

        return _faulty.Requests.Count;
    }

    private async Task AssertCaseAsync(TestDaemon daemon, FaultMatrixCase fault, FaultExpectation expected, Observed seen, int faultyBefore)
    {
        Assert.That(seen.Status, Is.EqualTo(expected.Status), "status");
        Assert.That(seen.Attempts.Select(a => (a.Provider, a.Outcome)), Is.EqualTo(expected.Attempts), "attempt log");
        Assert.That(seen.Attempts[0].HttpStatus, Is.EqualTo(expected.FirstHttpStatus), "the first attempt's HTTP status");
        Assert.That(seen.Attempts[0].Reason, Does.Contain(expected.FirstReason), "the first attempt's reason");
        if (expected.Status == StatusCode.OK)
        {
            Assert.That(seen.Provider, Is.EqualTo(expected.Attempts[^1].Provider), "who answered");
        }

        int faultyCalls = expected.Attempts.Count(a => a.Provider == Faulty && a.Outcome != AttemptOutcome.Skipped);
        Assert.That(_faulty.Requests.Count - faultyBefore, Is.EqualTo(faultyCalls), "calls the faulty server saw");

        RequestRecord row = await LedgerRowAsync(daemon, seen.RequestId);
        Assert.That(row.Status, Is.EqualTo(expected.LedgerStatus), "ledger status");
        Assert.That(row.Provider, Is.EqualTo(expected.LedgerProvider), "ledger provider");
        Assert.That(row.Attempts.Select(a => (a.Provider, a.Outcome)), Is.EqualTo(expected.Attempts), "ledger attempts");
        Assert.That(row.Route, Is.EqualTo(fault.Route));
    }

    /// <summary>A failure's row is written after the caller got its status; it is waited for, briefly.</summary>
    internal static async Task<RequestRecord> LedgerRowAsync(TestDaemon daemon, string requestId)
    {
        Assert.That(requestId, Is.Not.Empty, "the answer or the attempts trailer names the request");
        DateTime until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using (SqliteConnection connection = LedgerSql.Open(Path.Combine(daemon.Directory, "ledger.db")))
            {
                if (LedgerRows.Read(connection, requestId) is { } row)
                {
                    return row;
                }
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"no ledger row for {requestId}");
            }

            await Task.Delay(20);
        }
    }

    private static CompleteRequest Ask(FaultMatrixCase fault) => new()
    {
        Route = fault.Route,
        ResponseJsonSchema = fault.WantsJson ? JsonSchema : string.Empty,
        Messages = { new Message { Role = Role.User, Content = "matrix " + fault.Name } },
    };

    internal Task<TestDaemon> StartDaemonAsync(string extraHealth = "", string? ledgerPath = null) =>
        TestDaemon.StartFromJsonAsync(Config(extraHealth), new DaemonAppSettings
        {
            ConfigureLogging = _ => { },
            LedgerPath = ledgerPath,
            Environment = new System.Collections.Hashtable { ["MATRIX_ANTHROPIC_KEY"] = "sk-ant-matrix-0123456789" },
        });

    /// <summary>
    /// faulty: OpenAI wire, one retry within 2 s, 1.5 s per attempt and 700 ms to the first token.
    /// healthy: Anthropic wire, no retry. closed: nothing listens on its port. Breakers never open here.
    /// </summary>
    private string Config(string extraHealth) => $$"""
        {
          "logging": { "level": "warning" },
          "providers": {
            "{{Faulty}}": { "kind": "openai", "baseUrl": "{{_faulty.BaseUrl}}", "requireKey": false, "retries": 1,
                         "retryBaseDelay": "10ms", "retryMaxDelay": "2s", "timeout": "1500ms", "firstTokenTimeout": "700ms" },
            "{{Healthy}}": { "kind": "anthropic", "baseUrl": "{{_healthy.BaseAddress}}", "apiKeyEnv": "MATRIX_ANTHROPIC_KEY", "retries": 0, "timeout": "5s" },
            "{{Closed}}": { "kind": "openai", "baseUrl": "http://127.0.0.1:{{_closedPort}}/v1", "requireKey": false, "retries": 0, "timeout": "2s" }
          },
          "routes": {
            "{{MatrixRoute}}": { "targets": ["{{Faulty}}/m1", "{{Healthy}}/h1"] },
            "{{RefusedRoute}}": { "targets": ["{{Closed}}/m1", "{{Healthy}}/h1"] }
          },
          "tasks": { "default": "{{MatrixRoute}}" },
          "validation": { "refusalWindow": 40 },
          "health": { "breaker": { "minimumThroughput": 1000 }, "probes": { "enabled": false }{{extraHealth}} }
        }
        """;

}
