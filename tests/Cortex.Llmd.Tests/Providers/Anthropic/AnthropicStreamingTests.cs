using System.Diagnostics;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Providers.Anthropic;

public class AnthropicStreamingTests
{
    private AnthropicHarness _harness = null!;

    [SetUp]
    public async Task StartAsync() => _harness = await AnthropicHarness.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _harness.DisposeAsync();

    [Test]
    public async Task StreamAsync_TextAnswer_StreamsDeltasThenOneCompletion()
    {
        _harness.Server.EnqueueAnswer(FakeAnthropicAnswer.Text("The sky is blue because of Rayleigh scattering."));

        List<ProviderEvent> events = await _harness.CollectAsync("why blue?");

        Assert.That(events.OfType<ContentDelta>().Count(), Is.GreaterThan(5), "text arrives in pieces, pings in between are ignored");
        Assert.That(AnthropicHarness.Text(events), Is.EqualTo("The sky is blue because of Rayleigh scattering."));
        Assert.That(events.OfType<Completion>().Count(), Is.EqualTo(1));
        var done = (Completion)events[^1];
        Assert.That(done.FinishReason, Is.EqualTo(FinishReason.Stop));
        Assert.That(done.HttpStatus, Is.EqualTo(200));
    }

    [Test]
    public async Task StreamAsync_EveryUsageField_LandsInTheCompletion()
    {
        _harness.Server.EnqueueAnswer(new FakeAnthropicAnswer
        {
            Blocks = [new FakeTextBlock("cached answer")],
            Usage = new FakeAnthropicUsage(InputTokens: 21, OutputTokens: 503, CacheReadInputTokens: 1800, CacheCreationInputTokens: 320),
        });

        List<ProviderEvent> events = await _harness.CollectAsync("x");

        Assert.That(((Completion)events[^1]).Usage, Is.EqualTo(new Usage
        {
            InputTokens = 21,
            CachedInputTokens = 1800,
            CacheWriteTokens = 320,
            OutputTokens = 503, // message_delta's cumulative count, not message_start's 1
            ReasoningTokens = 0, // Anthropic counts thinking inside output_tokens
        }));
    }

    [Test]
    public async Task StreamAsync_MessageStart_ReportsInputUsageBeforeAnyContent()
    {
        _harness.Server.EnqueueAnswer(new FakeAnthropicAnswer
        {
            Blocks = [new FakeTextBlock("answer")],
            Usage = new FakeAnthropicUsage(InputTokens: 4321, OutputTokens: 7, CacheReadInputTokens: 10, CacheCreationInputTokens: 20),
        });

        List<ProviderEvent> events = await _harness.CollectAsync("x");

        int reported = events.FindIndex(e => e is UsageReported);
        Assert.That(reported, Is.GreaterThanOrEqualTo(0).And.LessThan(events.FindIndex(e => e is ContentDelta)), "budgets reconcile before the answer");
        Usage usage = ((UsageReported)events[reported]).Usage;
        Assert.That((usage.InputTokens, usage.CachedInputTokens, usage.CacheWriteTokens), Is.EqualTo((4321UL, 10UL, 20UL)));
    }

    [Test]
    public async Task StreamAsync_CumulativeUsageInMessageDelta_IsTakenAsFinal()
    {
        _harness.Server.EnqueueAnswer(new FakeAnthropicAnswer { Usage = new FakeAnthropicUsage(7, 9, 11, 13), FullUsageInMessageDelta = true });

        List<ProviderEvent> events = await _harness.CollectAsync("x");

        Assert.That(((Completion)events[^1]).Usage,
            Is.EqualTo(new Usage { InputTokens = 7, OutputTokens = 9, CachedInputTokens = 11, CacheWriteTokens = 13 }));
    }

    [TestCase("end_turn", FinishReason.Stop)]
    [TestCase("stop_sequence", FinishReason.Stop)]
    [TestCase("max_tokens", FinishReason.Length)]
    [TestCase("model_context_window_exceeded", FinishReason.Length)]
    [TestCase("tool_use", FinishReason.ToolCalls)]
    [TestCase("refusal", FinishReason.ContentFilter)]
    [TestCase("pause_turn", FinishReason.Stop)]
    [TestCase("some_future_reason", FinishReason.Stop)]
    public async Task StreamAsync_StopReason_MapsToFinishReason(string stopReason, FinishReason expected)
    {
        _harness.Server.EnqueueAnswer(FakeAnthropicAnswer.Text("answer") with { StopReason = stopReason });

        List<ProviderEvent> events = await _harness.CollectAsync("x");

        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(expected));
    }

    [Test]
    public async Task StreamAsync_SlowChunks_DeliversTheFirstDeltaBeforeTheStreamEnds()
    {
        _harness.Server.EnqueueAnswer(FakeAnthropicAnswer.Text("one two three"));
        _harness.Server.Enqueue(new ProviderFault { DelayBetweenChunks = TimeSpan.FromMilliseconds(60) });
        var clock = Stopwatch.StartNew();
        TimeSpan? firstDelta = null;

        await foreach (ProviderEvent e in _harness.Provider.StreamAsync(new ProviderCall(AnthropicHarness.Ask("x"), AnthropicHarness.Model, "r"), CancellationToken.None))
        {
            if (e is ContentDelta)
            {
                firstDelta ??= clock.Elapsed;
            }
        }

        TimeSpan total = clock.Elapsed;
        Assert.That(firstDelta, Is.Not.Null);
        Assert.That(total - firstDelta!.Value, Is.GreaterThan(TimeSpan.FromMilliseconds(300)), "deltas are yielded as they arrive, not after the whole answer");
    }

    [Test]
    public async Task StreamAsync_RefusalText_PassesThroughAsContent()
    {
        const string refusal = "I can't help with that.";
        _harness.Server.Enqueue(new ProviderFault { ReplaceText = refusal });

        List<ProviderEvent> events = await _harness.CollectAsync("something bad");

        Assert.That(AnthropicHarness.Text(events), Is.EqualTo(refusal), "the router's validator judges refusals, not the adapter");
        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(FinishReason.Stop));
    }
}
