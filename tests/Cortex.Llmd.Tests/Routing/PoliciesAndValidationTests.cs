using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Routing;

/// <summary>Retries, attempt and first-token timeouts, the deadline, and answer validation, end to end through the engine.</summary>
public class PoliciesAndValidationTests
{
    [TearDown]
    public void DisposeModel() => _model.Dispose();

    private const string Config = """
        {
          "providers": {
            "flaky": { "kind": "mock", "reply": "recovered", "failure": "error", "failFirst": 2, "retries": 2, "retryBaseDelay": "10ms" },
            "limited": { "kind": "mock", "reply": "after wait", "failure": "rate-limited", "failFirst": 1, "retries": 1, "retryBaseDelay": "1ms", "retryMaxDelay": "5s" },
            "impatient": { "kind": "mock", "failure": "rate-limited", "retries": 3, "retryMaxDelay": "100ms" },
            "slow": { "kind": "mock", "latency": "10s", "timeout": "100ms", "retries": 0 },
            "sluggish": { "kind": "mock", "latency": "10s", "firstTokenTimeout": "100ms", "retries": 0 },
            "refuser": { "kind": "mock", "failure": "refusal", "retries": 0 },
            "mute": { "kind": "mock", "reply": "", "retries": 0 },
            "prose": { "kind": "mock", "reply": "Here is some prose, not JSON.", "retries": 0 },
            "json": { "kind": "mock", "reply": "```json\n{\"ok\": true}\n```", "retries": 0 },
            "wrongjson": { "kind": "mock", "reply": "{\"ok\": \"yes\"}", "retries": 0 },
            "ok": { "kind": "mock", "reply": "fine answer", "retries": 0 }
          },
          "routes": {
            "flaky": { "targets": ["flaky/f"] },
            "limited": { "targets": ["limited/l"] },
            "impatient": { "targets": ["impatient/i", "ok/o"] },
            "slow": { "targets": ["slow/s", "ok/o"] },
            "sluggish": { "targets": ["sluggish/s", "ok/o"] },
            "refuser": { "targets": ["refuser/r", "ok/o"] },
            "mute": { "targets": ["mute/m", "ok/o"] },
            "schema": { "targets": ["prose/p", "wrongjson/w", "json/j"] },
            "deadline": { "targets": ["slow/s", "sluggish/s", "ok/o"] }
          }
        }
        """;

    private RuntimeModel _model = null!;
    private CompletionEngine _engine = null!;

    [SetUp]
    public void Build()
    {
        _model = TestModels.FromJson(Config);
        var states = new TargetStateRegistry();
        _engine = new CompletionEngine(
            TimeProvider.System, states, new EventHub(TimeProvider.System), new AnswerValidator(new SchemaAnswerCheck(new SchemaCache())), new OpenGate(), NullLogger<CompletionEngine>.Instance);
    }

    private async Task<(CompleteResponse? Response, CompletionTrace Trace, Exception? Error)> Run(string route, string schema = "", CancellationToken token = default)
    {
        var request = new CompleteRequest { Route = route, ResponseJsonSchema = schema, Messages = { new Message { Role = Role.User, Content = "q" } } };
        var trace = new CompletionTrace();
        try
        {
            CompleteResponse response = await _engine.RunAsync(request, Planners.Open().Plan(request, _model), _model, "req", null, trace, token);
            return (response, trace, null);
        }
        catch (Exception ex) when (ex is RouterException or OperationCanceledException)
        {
            return (null, trace, ex);
        }
    }

    private static AttemptOutcome[] Outcomes(CompletionTrace trace) => [.. trace.Attempts.Select(a => a.Outcome)];

    [Test]
    public async Task RunAsync_RetryableErrors_RetriesSameTargetThenSucceeds()
    {
        var (response, trace, _) = await Run("flaky");

        Assert.That(response!.Content, Is.EqualTo("recovered"));
        Assert.That(Outcomes(trace), Is.EqualTo(new[] { AttemptOutcome.Error, AttemptOutcome.Error, AttemptOutcome.Success }));
    }

    [Test]
    public async Task RunAsync_RateLimitedWithRetryAfter_WaitsAtLeastRetryAfter()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (response, trace, _) = await Run("limited");

        Assert.That(response!.Content, Is.EqualTo("after wait"));
        Assert.That(Outcomes(trace), Is.EqualTo(new[] { AttemptOutcome.RateLimited, AttemptOutcome.Success }));
        // The mock asks for Retry-After: 1 s; the configured backoff alone would be 1 ms.
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950)));
    }

    [Test]
    public async Task RunAsync_RetryAfterLongerThanMaxDelay_FallsBackInsteadOfWaiting()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (response, trace, _) = await Run("impatient");

        Assert.That(response!.Provider, Is.EqualTo("ok"));
        Assert.That(Outcomes(trace), Is.EqualTo(new[] { AttemptOutcome.RateLimited, AttemptOutcome.Success }));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task RunAsync_AttemptTimeout_RecordsTimeoutAndFallsBack()
    {
        var (response, trace, _) = await Run("slow");

        Assert.That(response!.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Timeout));
        Assert.That(trace.Attempts[0].Reason, Is.EqualTo("slow: attempt timed out after 100ms"));
    }

    [Test]
    public async Task RunAsync_NoFirstTokenInTime_RecordsTimeoutAndFallsBack()
    {
        var (response, trace, _) = await Run("sluggish");

        Assert.That(response!.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Reason, Is.EqualTo("sluggish: no first token within 100ms"));
    }

    [Test]
    public async Task RunAsync_DeadlinePasses_StopsTheChain()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        var (_, trace, error) = await Run("deadline", token: deadline.Token);

        Assert.That(error, Is.InstanceOf<OperationCanceledException>());
        Assert.That(trace.Attempts.Select(a => a.Provider), Does.Not.Contain("ok"));
        Assert.That(trace.Attempts[^1].Outcome, Is.EqualTo(AttemptOutcome.Cancelled));
    }

    [Test]
    public async Task RunAsync_Refusal_IsRejectedAndFallsBack()
    {
        var (response, trace, _) = await Run("refuser");

        Assert.That(response!.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Refusal));
        Assert.That(trace.Attempts[0].Reason, Does.Contain("I'm sorry, but I can't"));
    }

    [Test]
    public async Task RunAsync_EmptyAnswer_IsRejectedAndFallsBack()
    {
        var (response, trace, _) = await Run("mute");

        Assert.That(response!.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.InvalidAnswer));
        Assert.That(trace.Attempts[0].Reason, Does.StartWith("empty answer"));
    }

    [Test]
    public async Task RunAsync_AnswerNotMatchingSchema_FallsBackToValidAnswer()
    {
        var (response, trace, _) = await Run("schema", """{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}}""");

        Assert.That(response!.Provider, Is.EqualTo("json"));
        Assert.That(Outcomes(trace), Is.EqualTo(new[] { AttemptOutcome.InvalidAnswer, AttemptOutcome.InvalidAnswer, AttemptOutcome.Success }));
        Assert.That(trace.Attempts[0].Reason, Is.EqualTo("does not match the response schema: the answer is not JSON"));
        Assert.That(trace.Attempts[1].Reason, Does.StartWith("does not match the response schema: /ok:"));
    }
}
