using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Cortex.Llmd.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Routing;

/// <summary>
/// The attempt log records the HTTP exchange that happened, also when the answer was rejected: a real
/// openai adapter against a fake server, through the engine, with a mock target to fall back to.
/// </summary>
public class AttemptHttpStatusTests
{
    private const string Refusal =
        "I'm sorry, but I can't help with that request. It falls outside what I can do, and I will not go on about it any further.";

    private FakeOpenAiServer _fake = null!;
    private RuntimeModel _model = null!;
    private CompletionEngine _engine = null!;

    [SetUp]
    public async Task Start()
    {
        _fake = await FakeOpenAiServer.StartNewAsync();
        _model = TestModels.FromJson($$"""
            {
              "providers": {
                "remote": { "kind": "openai", "baseUrl": "{{_fake.BaseUrl}}", "requireKey": false, "retries": 0 },
                "ok": { "kind": "mock", "reply": "{\"fine\": \"answer\"}", "retries": 0 }
              },
              "routes": { "main": { "targets": ["remote/m", "ok/o"] } },
              "tasks": { "default": "main" }
            }
            """);
        _engine = new CompletionEngine(
            TimeProvider.System, new TargetStateRegistry(), new EventHub(TimeProvider.System),
            new AnswerValidator(new SchemaAnswerCheck(new SchemaCache())), new OpenGate(), NullLogger<CompletionEngine>.Instance);
    }

    [TearDown]
    public async Task Stop()
    {
        _model.Dispose();
        await _fake.DisposeAsync();
    }

    private async Task<(CompleteResponse Response, CompletionTrace Trace)> Run(string schema = "", IChunkSink? sink = null)
    {
        var request = new CompleteRequest { Route = "main", ResponseJsonSchema = schema, Messages = { new Message { Role = Role.User, Content = "q" } } };
        var trace = new CompletionTrace();
        CompleteResponse response = await _engine.RunAsync(request, Planners.Open().Plan(request, _model), _model, "req", sink, trace, CancellationToken.None);
        return (response, trace);
    }

    [Test]
    public async Task RunAsync_RefusalInUnaryAnswer_RecordsHttp200()
    {
        _fake.Text = Refusal;

        var (response, trace) = await Run();

        Assert.That(response.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Refusal));
        Assert.That(trace.Attempts[0].HttpStatus, Is.EqualTo(200));
    }

    [Test]
    public async Task RunAsync_RefusalCaughtInStreamingPrefix_RecordsHttp200()
    {
        _fake.Text = Refusal;
        // Slow chunks: the refusal is judged on the prefix, long before the stream would have ended.
        _fake.Enqueue(new ProviderFault { DelayBetweenChunks = TimeSpan.FromMilliseconds(20) });
        var sink = new NullSink();

        var (response, trace) = await Run(sink: sink);

        Assert.That(response.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Refusal));
        Assert.That(trace.Attempts[0].HttpStatus, Is.EqualTo(200));
        Assert.That(sink.Text, Is.EqualTo("""{"fine": "answer"}"""), "only the fallback's answer reached the caller");
    }

    [Test]
    public async Task RunAsync_AnswerNotMatchingSchema_IsInvalidAnswerWithHttp200()
    {
        _fake.Text = "prose, not JSON";

        var (_, trace) = await Run("""{"type":"object"}""");

        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.InvalidAnswer));
        Assert.That(trace.Attempts[0].HttpStatus, Is.EqualTo(200));
    }

    [Test]
    public async Task RunAsync_EmptyChoices_IsInvalidAnswerWithHttp200AndFallsBack()
    {
        _fake.Enqueue(new ProviderFault { EmptyChoices = true });

        var (response, trace) = await Run();

        Assert.That(response.Provider, Is.EqualTo("ok"));
        Assert.That(trace.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.InvalidAnswer));
        Assert.That(trace.Attempts[0].Reason, Does.Contain("no choices"));
        Assert.That(trace.Attempts[0].HttpStatus, Is.EqualTo(200));
    }

    private sealed class NullSink : IChunkSink
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text => _text.ToString();

        public ValueTask SendContentAsync(string delta, CancellationToken cancellationToken)
        {
            _text.Append(delta);
            return ValueTask.CompletedTask;
        }

        public ValueTask SendToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
