using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.OpenAi;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support.Fakes;
using static Cortex.Llmd.Tests.Providers.OpenAi.OpenAiTestKit;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

public class OpenAiResponseTests : OpenAiServerTestBase
{
    [Test]
    public async Task StreamAsync_Text_StreamsEachDeltaThenExactlyOneCompletionLast()
    {
        Fake.Text = "One two three four.";

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Assert.That(events.OfType<ContentDelta>().Select(d => d.Text), Is.EqualTo(new[] { "One ", "two ", "three ", "four." }));
        Assert.That(events.OfType<Completion>().Count(), Is.EqualTo(1));
        var done = (Completion)events[^1];
        Assert.That(done.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(done.HttpStatus, Is.EqualTo(200));
    }

    [Test]
    public async Task RunAsync_UnaryCollection_AssemblesTheWholeAnswer()
    {
        Fake.Text = "The whole answer, assembled.";

        AttemptAnswer answer = await Answer(Adapter, Call());

        Assert.That(answer.Content, Is.EqualTo("The whole answer, assembled."));
        Assert.That(answer.ToolCalls, Is.Empty);
        Assert.That(answer.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(answer.Usage.OutputTokens, Is.EqualTo(300));
    }

    [Test]
    public async Task StreamAsync_TwoToolCalls_PiecesCarryProviderIndexAndReassemble()
    {
        Fake.Text = string.Empty;
        Fake.ToolCalls.Add(new FakeToolCall("call_a", "get_weather", """{"city":"Oslo","unit":"celsius"}"""));
        Fake.ToolCalls.Add(new FakeToolCall("call_b", "get_time", """{"zone":"Europe/Oslo"}"""));

        List<ProviderEvent> events = await Collect(Adapter, Call());
        AttemptAnswer answer = await Answer(Adapter, Call());

        ToolCallPiece[] pieces = events.OfType<ToolCallPiece>().ToArray();
        Assert.That(pieces.Count(p => p.Index == 0), Is.GreaterThan(2), "arguments split over several deltas");
        Assert.That(pieces.Count(p => p.Index == 1), Is.GreaterThan(2));
        Assert.That(pieces.Where(p => p.Id is not null).Select(p => (p.Index, p.Id, p.Name)), Is.EqualTo(new[] { (0, "call_a", "get_weather"), (1, "call_b", "get_time") }));
        Assert.That(answer.ToolCalls.Select(c => (c.Id, c.Name, c.ArgumentsJson)), Is.EqualTo(new[]
        {
            ("call_a", "get_weather", """{"city":"Oslo","unit":"celsius"}"""),
            ("call_b", "get_time", """{"zone":"Europe/Oslo"}"""),
        }));
        Assert.That(answer.FinishReason, Is.EqualTo(FinishReason.ToolCalls));
        Assert.That(answer.Content, Is.Empty);
    }

    private static readonly FakeUsage Numbers = new(Prompt: 1234, Completion: 321, Cached: 1000, Reasoning: 123);

    [TestCase(FakeUsageStyle.OpenAi, 123UL)]
    [TestCase(FakeUsageStyle.DeepSeek, 123UL)]
    [TestCase(FakeUsageStyle.Moonshot, 0UL)]
    public async Task StreamAsync_UsageVariant_EveryWireFieldLandsInUsage(FakeUsageStyle style, ulong reasoning)
    {
        Fake.UsageStyle = style;
        Fake.Usage = Numbers;

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Usage usage = ((Completion)events[^1]).Usage;
        Assert.That(usage, Is.EqualTo(new Usage
        {
            InputTokens = 234,
            CachedInputTokens = 1000,
            CacheWriteTokens = 0,
            OutputTokens = 321,
            ReasoningTokens = reasoning,
        }));
    }

    [Test]
    public async Task StreamAsync_NoUsageSent_ReportsZeroUsage()
    {
        Fake.UsageStyle = FakeUsageStyle.None;

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Assert.That(((Completion)events[^1]).Usage, Is.EqualTo(new Usage()));
    }

    [Test]
    public async Task StreamAsync_StreamUsageOff_ServerSendsNoUsageChunk()
    {
        using OpenAiProvider provider = Provider(Settings(Fake) with { StreamUsage = false });

        List<ProviderEvent> events = await Collect(provider, Call());

        Assert.That(((Completion)events[^1]).Usage.OutputTokens, Is.Zero, "the fake sends usage only when include_usage was asked");
    }

    [Test]
    public async Task StreamAsync_CachedAbovePrompt_InputTokensNeverNegative()
    {
        Fake.Usage = new FakeUsage(Prompt: 10, Completion: 5, Cached: 50, Reasoning: 0);

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Usage usage = ((Completion)events[^1]).Usage;
        Assert.That(usage.InputTokens, Is.Zero);
        Assert.That(usage.CachedInputTokens, Is.EqualTo(50));
    }

    [TestCase("stop", FinishReason.Stop)]
    [TestCase("length", FinishReason.Length)]
    [TestCase("tool_calls", FinishReason.ToolCalls)]
    [TestCase("function_call", FinishReason.ToolCalls)]
    [TestCase("content_filter", FinishReason.ContentFilter)]
    [TestCase("something_new", FinishReason.Stop)]
    public async Task StreamAsync_FinishReason_IsMapped(string wire, FinishReason expected)
    {
        Fake.FinishReason = wire;

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(expected));
    }

    [TestCase("insufficient_system_resource")]
    [TestCase("error")]
    public async Task StreamAsync_FinishReasonOfAnInterruptedAnswer_ThrowsServer(string wire)
    {
        Fake.FinishReason = wire;

        var ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(Adapter, Call()));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Server));
    }

    [Test]
    public async Task StreamAsync_RefusalField_PassesThroughAsContent()
    {
        Fake.Refusal = "I'm sorry, I cannot help with that.";

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Assert.That(Text(events), Is.EqualTo("I'm sorry, I cannot help with that."));
        Assert.That(events[^1], Is.TypeOf<Completion>());
    }

    [Test]
    public async Task StreamAsync_RefusalTextAsContent_PassesThroughUnjudged()
    {
        Fake.Enqueue(new ProviderFault { ReplaceText = "I can't assist with that request." });

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Assert.That(Text(events), Is.EqualTo("I can't assist with that request."));
        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(FinishReason.Stop));
    }

    [Test]
    public async Task StreamAsync_ServerIgnoresStreamAndSendsJson_DecodesTheWholeCompletion()
    {
        Fake.JsonAnswer = true;
        Fake.Text = "Non-streamed text.";
        Fake.ToolCalls.Add(new FakeToolCall("call_x", "lookup", """{"q":"x"}"""));
        Fake.Usage = Numbers;

        AttemptAnswer answer = await Answer(Adapter, Call());

        Assert.That(answer.Content, Is.EqualTo("Non-streamed text."));
        Assert.That(answer.ToolCalls.Single().Id, Is.EqualTo("call_x"));
        Assert.That(answer.ToolCalls.Single().ArgumentsJson, Is.EqualTo("""{"q":"x"}"""));
        Assert.That(answer.FinishReason, Is.EqualTo(FinishReason.ToolCalls));
        Assert.That(answer.Usage.InputTokens, Is.EqualTo(234));
        Assert.That(answer.Usage.ReasoningTokens, Is.EqualTo(123));
    }

    [Test]
    public async Task StreamAsync_JsonAnswerWithoutChoices_ThrowsEmptyAnswer()
    {
        Fake.JsonAnswer = true;
        Fake.Enqueue(new ProviderFault { EmptyChoices = true });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(Adapter, Call()));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.InvalidAnswer));
        Assert.That(ex.Message, Does.Contain("empty answer"));
    }
}
