using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Routing;

public class CompletionEngineTests
{
    [TearDown]
    public void DisposeModel() => _model.Dispose();

    private const string Config = """
        {
          "providers": {
            "down": { "kind": "mock", "failure": "error", "retries": 0 },
            "limited": { "kind": "mock", "failure": "rate-limited", "retries": 0 },
            "flaky": { "kind": "mock", "failure": "error", "failFirst": 1, "retries": 0 },
            "cut": { "kind": "mock", "reply": "one two three four", "failAfterChunks": 2, "retries": 0 },
            "longcut": { "kind": "mock", "reply": "word ", "repeat": 60, "failAfterChunks": 30, "retries": 0 },
            "ok": { "kind": "mock", "reply": "fine answer" }
          },
          "routes": {
            "chain": { "targets": ["down/a", "limited/b", "ok/c"] },
            "dead": { "targets": ["down/a", "limited/b"] },
            "cycle1": { "targets": ["down/a", "limited/b"], "fallbacks": ["cycle2"] },
            "cycle2": { "targets": ["limited/b", "down/z"], "fallbacks": ["cycle1", "cycle2"] },
            "cut": { "targets": ["cut/x", "ok/c"] },
            "longcut": { "targets": ["longcut/x", "ok/c"] },
            "flaky": { "targets": ["flaky/f"] }
          }
        }
        """;

    private RuntimeModel _model = null!;
    private TargetStateRegistry _states = null!;
    private CompletionEngine _engine = null!;

    [SetUp]
    public void Build()
    {
        _model = TestModels.FromJson(Config);
        _states = new TargetStateRegistry();
        _engine = new CompletionEngine(TimeProvider.System, _states, new EventHub(TimeProvider.System), new AnswerValidator(new Cortex.Llmd.Validation.SchemaAnswerCheck(new Cortex.Llmd.Validation.SchemaCache())), new OpenGate(), NullLogger<CompletionEngine>.Instance);
    }

    private Task<CompleteResponse> RunAsync(string route, CompletionTrace trace, IChunkSink? sink = null, bool? allowFallback = null)
    {
        var request = new CompleteRequest { Route = route, Messages = { new Message { Role = Role.User, Content = "q" } }, AllowFallback = allowFallback };
        RoutePlan plan = Planners.Open().Plan(request, _model);
        return _engine.RunAsync(request, plan, _model, "req_test", sink, trace, CancellationToken.None);
    }

    [Test]
    public async Task RunAsync_FirstTargetsFail_FallsBackAndLogsEveryAttempt()
    {
        var trace = new CompletionTrace();

        CompleteResponse response = await RunAsync("chain", trace);

        Assert.That(response.Content, Is.EqualTo("fine answer"));
        Assert.That(response.Provider, Is.EqualTo("ok"));
        Assert.That(response.Attempts.Select(a => a.Outcome), Is.EqualTo(new[] { AttemptOutcome.Error, AttemptOutcome.RateLimited, AttemptOutcome.Success }));
        Assert.That(response.Attempts[0].HttpStatus, Is.EqualTo(500));
        Assert.That(response.Attempts[1].HttpStatus, Is.EqualTo(429));
        Assert.That(_states.TotalInFlight, Is.Zero);
    }

    [Test]
    public async Task RunAsync_EveryTargetFails_ThrowsUnavailableWithAttemptLogTrailer()
    {
        var trace = new CompletionTrace();

        var ex = await Assert.ThrowsAsync<RouterException>(() => RunAsync("dead", trace));

        Assert.That(ex!.Code, Is.EqualTo(RouterErrorCode.AllAttemptsFailed));
        Assert.That(ex.Message, Does.StartWith("all 2 attempts failed"));
        AttemptLog log = ex.Attempts!;
        Assert.That(log.RequestId, Is.EqualTo("req_test"));
        Assert.That(log.Attempts.Select(a => a.Provider), Is.EqualTo(new[] { "down", "limited" }));
    }

    [Test]
    public async Task RunAsync_CyclicFallbacksAllFailing_TriesEachTargetExactlyOnce()
    {
        var trace = new CompletionTrace();

        var ex = await Assert.ThrowsAsync<RouterException>(() => RunAsync("cycle1", trace));

        Assert.That(trace.Attempts.Select(a => $"{a.Provider}/{a.Model}"), Is.EqualTo(new[] { "down/a", "limited/b", "down/z" }));
        Assert.That(ex!.Message, Does.StartWith("all 3 attempts failed"));
    }

    [Test]
    public async Task RunAsync_FallbackDisabled_MakesOneAttempt()
    {
        var trace = new CompletionTrace();

        await Assert.ThrowsAsync<RouterException>(() => RunAsync("chain", trace, allowFallback: false));

        Assert.That(trace.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_UnaryStreamCutMidway_FallsBackBecauseNothingWasSent()
    {
        CompleteResponse response = await RunAsync("cut", new CompletionTrace());

        Assert.That(response.Provider, Is.EqualTo("ok"));
        Assert.That(response.Attempts[0].Reason, Does.Contain("stream cut after 2 chunks"));
    }

    [Test]
    public async Task RunAsync_StreamCutInsideHoldbackWindow_FallsBackBecauseNothingWasSent()
    {
        var sink = new RecordingSink();

        CompleteResponse response = await RunAsync("cut", new CompletionTrace(), sink);

        Assert.That(response.Provider, Is.EqualTo("ok"));
        Assert.That(string.Concat(sink.Content), Is.EqualTo("fine answer"));
    }

    [Test]
    public async Task RunAsync_StreamCutAfterFirstChunk_EndsUnavailableNotSuccess()
    {
        var sink = new RecordingSink();

        var ex = await Assert.ThrowsAsync<RouterException>(() => RunAsync("longcut", new CompletionTrace(), sink));

        Assert.That(ex!.Code, Is.EqualTo(RouterErrorCode.StreamInterrupted));
        Assert.That(ex.Message, Does.Contain("failed after the stream started"));
        Assert.That(sink.Content, Has.Count.EqualTo(30));
        Assert.That(sink.Content, Is.All.EqualTo("word "));
    }

    [Test]
    public async Task RunAsync_ProviderRecovers_TargetStateReturnsHealthy()
    {
        await Assert.ThrowsAsync<RouterException>(() => RunAsync("flaky", new CompletionTrace()));
        ProviderTarget afterFailure = _states.Get(new("flaky", "f")).Snapshot();

        await RunAsync("flaky", new CompletionTrace());
        ProviderTarget afterSuccess = _states.Get(new("flaky", "f")).Snapshot();

        Assert.That(afterFailure.State, Is.EqualTo(ProviderState.Degraded));
        Assert.That(afterFailure.LastError, Is.EqualTo("mock: injected server error"));
        Assert.That(afterSuccess.State, Is.EqualTo(ProviderState.Healthy));
        Assert.That(afterSuccess.Successes, Is.EqualTo(1));
        Assert.That(afterSuccess.Failures, Is.EqualTo(1));
    }

    private sealed class RecordingSink : IChunkSink
    {
        public List<string> Content { get; } = [];

        public ValueTask SendContentAsync(string delta, CancellationToken cancellationToken)
        {
            Content.Add(delta);
            return ValueTask.CompletedTask;
        }

        public ValueTask SendToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Test]
    public async Task RunAsync_GateClosesAfterPlanning_TargetIsLoggedSkippedAndNotCalled()
    {
        var engine = new CompletionEngine(
            TimeProvider.System, _states, new EventHub(TimeProvider.System), new AnswerValidator(new Cortex.Llmd.Validation.SchemaAnswerCheck(new Cortex.Llmd.Validation.SchemaCache())),
            new LateBlockingGate("down"), NullLogger<CompletionEngine>.Instance);
        var request = new CompleteRequest { Route = "chain", Messages = { new Message { Role = Role.User, Content = "q" } } };
        RoutePlan plan = Planners.Open().Plan(request, _model);
        var trace = new CompletionTrace();

        CompleteResponse response = await engine.RunAsync(request, plan, _model, "req_test", null, trace, CancellationToken.None);

        Assert.That(response.Attempts.Select(a => (a.Provider, a.Outcome, a.LatencyUs)),
            Is.EqualTo(new[] { ("down", AttemptOutcome.Skipped, 0UL), ("limited", AttemptOutcome.RateLimited, response.Attempts[1].LatencyUs), ("ok", AttemptOutcome.Success, response.Attempts[2].LatencyUs) }));
        Assert.That(response.Attempts[0].Reason, Is.EqualTo("skipped: rate limited until 12:00:00Z (test)"));
        Assert.That(_states.Get(new TargetRef("down", "a")).Snapshot().Failures, Is.Zero, "a skipped target is not called");
    }

    [Test]
    public async Task RunAsync_EveryTargetSkipped_IsNoEligibleTargetWithTheSkipsInItsLog()
    {
        var engine = new CompletionEngine(
            TimeProvider.System, _states, new EventHub(TimeProvider.System), new AnswerValidator(new Cortex.Llmd.Validation.SchemaAnswerCheck(new Cortex.Llmd.Validation.SchemaCache())),
            new LateBlockingGate("down", "limited"), NullLogger<CompletionEngine>.Instance);
        var request = new CompleteRequest { Route = "dead", Messages = { new Message { Role = Role.User, Content = "q" } } };
        RoutePlan plan = Planners.Open().Plan(request, _model);

        RouterException? ex = await Assert.ThrowsAsync<RouterException>(() => engine.RunAsync(request, plan, _model, "req_test", null, new CompletionTrace(), CancellationToken.None));

        Assert.That(ex!.Code, Is.EqualTo(RouterErrorCode.NoEligibleTarget));
        Assert.That(ex.Attempts!.Attempts.Select(a => a.Outcome), Is.EqualTo(new[] { AttemptOutcome.Skipped, AttemptOutcome.Skipped }));
        Assert.That(ex.Message, Does.StartWith("no eligible target for route 'dead': down/a Skipped: skipped: rate limited until"));
    }

    /// <summary>Passes every target at planning, then blocks the named providers when the engine enters them.</summary>
    private sealed class LateBlockingGate(params string[] providers) : ITargetGate
    {
        public GateVerdict Check(TargetRef target) => GateVerdict.Pass;

        public GateVerdict TryEnter(TargetRef target) =>
            providers.Contains(target.Provider) ? GateVerdict.Blocked("rate limited until 12:00:00Z (test)") : GateVerdict.Pass;

        public void Report(TargetRef target, bool success, string reason)
        {
        }

        public void Abandon(TargetRef target)
        {
        }
    }
}
