using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Mock;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Providers;

public class MockProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static ProviderCall Call(string prompt, Action<CompleteRequest>? change = null)
    {
        var request = new CompleteRequest { Messages = { new Message { Role = Role.System, Content = "sys" }, new Message { Role = Role.User, Content = prompt } } };
        change?.Invoke(request);
        return new ProviderCall(request, "model-x", "req");
    }

    private static async Task<List<ProviderEvent>> Collect(IProvider provider, ProviderCall call, CancellationToken token = default)
    {
        var events = new List<ProviderEvent>();
        await foreach (ProviderEvent e in provider.StreamAsync(call, token))
        {
            events.Add(e);
        }

        return events;
    }

    [Test]
    public async Task StreamAsync_Template_StreamsWordChunksThatConcatenateToReply()
    {
        var mock = new MockProvider("m", new MockSettings { Reply = "Echo {model}: {prompt}" }, TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("hello big world"));

        string[] chunks = events.OfType<ContentDelta>().Select(d => d.Text).ToArray();
        Assert.That(chunks, Is.EqualTo(new[] { "Echo ", "model-x: ", "hello ", "big ", "world" }));
        var done = (Completion)events[^1];
        Assert.That(done.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(done.Usage.OutputTokens, Is.EqualTo(5));
        Assert.That(done.Usage.InputTokens, Is.EqualTo(5), "(3 + 15 characters + 3) / 4");
    }

    [Test]
    public async Task StreamAsync_Repeat_MultipliesChunks()
    {
        var mock = new MockProvider("m", new MockSettings { Reply = "tick ", Repeat = 1234 }, TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("x"));

        Assert.That(events.OfType<ContentDelta>().Count(), Is.EqualTo(1234));
    }

    [Test]
    public async Task StreamAsync_FixedUsage_ReportsConfiguredNumbers()
    {
        var usage = new Usage { InputTokens = 1, CachedInputTokens = 2, CacheWriteTokens = 3, OutputTokens = 4, ReasoningTokens = 5 };
        var mock = new MockProvider("m", new MockSettings { Usage = usage }, TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("x"));

        Assert.That(((Completion)events[^1]).Usage, Is.EqualTo(usage));
    }

    [TestCase(MockFailure.Error, ProviderErrorKind.Server, 500)]
    [TestCase(MockFailure.RateLimited, ProviderErrorKind.RateLimited, 429)]
    [TestCase(MockFailure.Auth, ProviderErrorKind.Auth, 401)]
    [TestCase(MockFailure.Timeout, ProviderErrorKind.Timeout, 0)]
    public async Task StreamAsync_InjectedFailure_ThrowsClassifiedError(MockFailure failure, ProviderErrorKind kind, int status)
    {
        var mock = new MockProvider("m", new MockSettings { Failure = failure }, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(mock, Call("x")));

        Assert.That(ex!.Kind, Is.EqualTo(kind));
        Assert.That(ex.HttpStatus, Is.EqualTo(status));
    }

    [Test]
    public async Task StreamAsync_FailFirst_FailsThenSucceeds()
    {
        var mock = new MockProvider("m", new MockSettings { Failure = MockFailure.Error, FailFirst = 2 }, TimeProvider.System);

        await Assert.ThrowsAsync<ProviderException>(() => Collect(mock, Call("x")));
        await Assert.ThrowsAsync<ProviderException>(() => Collect(mock, Call("x")));
        List<ProviderEvent> third = await Collect(mock, Call("x"));

        Assert.That(third[^1], Is.InstanceOf<Completion>());
    }

    [Test]
    public async Task StreamAsync_Refusal_AnswersWithRefusalText()
    {
        var mock = new MockProvider("m", new MockSettings { Failure = MockFailure.Refusal }, TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("x"));

        Assert.That(string.Concat(events.OfType<ContentDelta>().Select(d => d.Text)), Is.EqualTo(MockProvider.RefusalText));
        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(FinishReason.ContentFilter));
    }

    [Test]
    public async Task StreamAsync_ToolsOffered_CallsFirstToolInPieces()
    {
        var mock = new MockProvider("m", new MockSettings(), TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("x", r => r.Tools.Add(new Tool { Name = "lookup" })));

        ToolCallPiece[] pieces = events.OfType<ToolCallPiece>().ToArray();
        Assert.That(pieces[0].Name, Is.EqualTo("lookup"));
        Assert.That(string.Concat(pieces.Select(p => p.ArgumentsDelta)), Is.EqualTo("{\"mock\":true}"));
        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(FinishReason.ToolCalls));
    }

    [Test]
    public async Task StreamAsync_Latency_WaitsOnInjectedClock()
    {
        var time = new ManualTimeProvider(Start);
        var mock = new MockProvider("m", new MockSettings { Latency = TimeSpan.FromSeconds(10) }, time);

        Task<List<ProviderEvent>> pending = Collect(mock, Call("x"));
        await Task.Delay(50);
        Assert.That(pending.IsCompleted, Is.False, "still waiting for the clock");

        time.Advance(TimeSpan.FromSeconds(10));
        List<ProviderEvent> events = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(events[^1], Is.InstanceOf<Completion>());
    }

    [Test]
    public async Task StreamAsync_CancelledDuringLatency_ThrowsOperationCanceled()
    {
        var mock = new MockProvider("m", new MockSettings { Latency = TimeSpan.FromMinutes(5) }, TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.CatchAsync<OperationCanceledException>(() => Collect(mock, Call("x"), cts.Token));
    }

    [Test]
    public void DefaultReply_WithShortPrompt_IsLongerThanTheRefusalWindow()
    {
        string rendered = MockSettings.DefaultReply.Replace("{prompt}", "hi", StringComparison.Ordinal);

        Assert.That(rendered, Has.Length.GreaterThan(new Cortex.Llmd.Routing.ValidationOptions().RefusalWindow * 2),
            "a default answer shorter than the hold-back window would reach the caller in one piece, never visibly streaming");
    }

    [TestCase("""{"type":"object","required":["name","tags","count"],"properties":{"name":{"type":"string","minLength":3},"tags":{"type":"array","minItems":2,"items":{"enum":["a","b"]}},"count":{"type":"integer","minimum":5}}}""")]
    [TestCase("""{"$defs":{"pkg":{"type":"object","required":["id"],"properties":{"id":{"const":"curl"}}}},"type":"array","minItems":1,"items":{"$ref":"#/$defs/pkg"}}""")]
    [TestCase("""{"type":["null","number"],"exclusiveMinimum":1.5}""")]
    [TestCase("""{"anyOf":[{"type":"boolean"},{"type":"string"}]}""")]
    public async Task StreamAsync_ResponseSchema_AnswersAnInstanceTheValidatorAccepts(string schema)
    {
        var mock = new MockProvider("m", new MockSettings(), TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("give me JSON", r => r.ResponseJsonSchema = schema));

        string answer = string.Concat(events.OfType<ContentDelta>().Select(d => d.Text));
        var check = new Cortex.Llmd.Validation.SchemaAnswerCheck(new Cortex.Llmd.Validation.SchemaCache());
        Assert.That(check.Check(answer, schema), Is.Null, answer);
    }

    [Test]
    public async Task StreamAsync_ResponseSchemaWithConfiguredReply_SendsTheReplyAsWritten()
    {
        var mock = new MockProvider("m", new MockSettings { Reply = "not json at all" }, TimeProvider.System);

        List<ProviderEvent> events = await Collect(mock, Call("x", r => r.ResponseJsonSchema = """{"type":"object"}"""));

        Assert.That(string.Concat(events.OfType<ContentDelta>().Select(d => d.Text)), Is.EqualTo("not json at all"));
    }
}

