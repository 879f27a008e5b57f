using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Telemetry;
using OpenTelemetry.Metrics;

namespace Cortex.Llmd.Tests.Telemetry;

public class GenAiMetricsTests
{
    private MetricsCapture _capture = null!;
    private GenAiMetrics _metrics = null!;

    [SetUp]
    public void Listen()
    {
        _capture = new MetricsCapture();
        _metrics = new GenAiMetrics();
    }

    [TearDown]
    public void StopListening()
    {
        _metrics.Dispose();
        _capture.Dispose();
    }

    private static Attempt Made(string provider, string model, AttemptOutcome outcome, int latencyMs) =>
        new() { Provider = provider, Model = model, Outcome = outcome, LatencyUs = (ulong)latencyMs * 1000 };

    private static RequestRecord Record(string status, IReadOnlyList<Attempt> attempts, Usage usage, long nanoUsd = 0, TimeSpan? ttft = null)
    {
        Attempt? last = attempts.LastOrDefault(a => a.Outcome != AttemptOutcome.Skipped);
        return new RequestRecord(
            DateTimeOffset.UnixEpoch, "req-1", TaskType.CodeGeneration, "quality", last?.Provider ?? string.Empty, last?.Model ?? string.Empty,
            "tenant", CallerInfo.Unknown, status, attempts, usage, new Cost { NanoUsd = nanoUsd, Priced = true }, TimeSpan.FromMilliseconds(1500))
        {
            Ttft = ttft,
            Door = FrontDoors.OpenAi,
        };
    }

    [Test]
    public void Record_AnsweredRequest_UsesSemanticConventionNamesUnitsAndAttributes()
    {
        var usage = new Usage { InputTokens = 100, CachedInputTokens = 20, CacheWriteTokens = 3, OutputTokens = 40, ReasoningTokens = 7 };
        _metrics.Record(Record("OK", [Made("claude", "sonnet", AttemptOutcome.Success, 1200)], usage, nanoUsd: 5_000, ttft: TimeSpan.FromMilliseconds(300)));

        IReadOnlyList<MetricSnapshot> metrics = _capture.Collect();

        Assert.That(metrics.ToDictionary(m => m.Name, m => m.Unit), Is.EquivalentTo(new Dictionary<string, string>
        {
            [MetricNames.TokenUsage] = "{token}",
            [MetricNames.OperationDuration] = "s",
            [MetricNames.TimeToFirstChunk] = "s",
            [MetricNames.RequestDuration] = "s",
            [MetricNames.Attempts] = "{attempt}",
            [MetricNames.Cost] = "{nano_usd}",
        }));
        MetricSnapshot tokens = MetricsCapture.Find(metrics, MetricNames.TokenUsage);
        Dictionary<string, string?> input = MetricsCapture.Tags(tokens.MetricPoints.Single(p => MetricsCapture.Tag(p, MetricNames.TokenType) == "input"));
        Assert.That(input, Is.EquivalentTo(new Dictionary<string, string?>
        {
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.provider.name"] = "claude",
            ["gen_ai.request.model"] = "sonnet",
            ["gen_ai.response.model"] = "sonnet",
            ["gen_ai.token.type"] = "input",
            ["cortex.route"] = "quality",
            ["cortex.task"] = "codeGeneration",
            ["cortex.door"] = "openai",
        }));
        Assert.That(MetricsCapture.Bounds(tokens.MetricPoints[0]), Is.EqualTo(MetricNames.TokenBuckets));
        MetricSnapshot duration = MetricsCapture.Find(metrics, MetricNames.OperationDuration);
        Assert.That(MetricsCapture.Bounds(duration.MetricPoints.Single()), Is.EqualTo(MetricNames.DurationBuckets));
        Assert.That(duration.MetricPoints.Single().GetHistogramSum(), Is.EqualTo(1.2).Within(1e-9));
        Assert.That(MetricsCapture.Find(metrics, MetricNames.TimeToFirstChunk).MetricPoints.Single().GetHistogramSum(), Is.EqualTo(0.3).Within(1e-9));
        Assert.That(MetricsCapture.Find(metrics, MetricNames.RequestDuration).MetricPoints.Single().GetHistogramSum(), Is.EqualTo(1.5).Within(1e-9));
        Assert.That(MetricsCapture.CounterSum(MetricsCapture.Find(metrics, MetricNames.Cost)), Is.EqualTo(5_000));
    }

    [Test]
    public void Record_CachedAndReasoningTokens_InputAndOutputIncludeThemAndTheirOwnTypesCountThem()
    {
        var usage = new Usage { InputTokens = 100, CachedInputTokens = 20, CacheWriteTokens = 3, OutputTokens = 40, ReasoningTokens = 7 };
        _metrics.Record(Record("OK", [Made("claude", "sonnet", AttemptOutcome.Success, 10)], usage));

        MetricSnapshot tokens = MetricsCapture.Find(_capture.Collect(), MetricNames.TokenUsage);

        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "input"), Is.EqualTo(123));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "output"), Is.EqualTo(40));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "input.cache_read"), Is.EqualTo(20));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "input.cache_creation"), Is.EqualTo(3));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "output.reasoning"), Is.EqualTo(7));
    }

    [Test]
    public void Record_NoCachedOrReasoningTokens_RecordsOnlyInputAndOutput()
    {
        _metrics.Record(Record("OK", [Made("m", "x", AttemptOutcome.Success, 10)], new Usage { InputTokens = 5, OutputTokens = 2 }));

        MetricSnapshot tokens = MetricsCapture.Find(_capture.Collect(), MetricNames.TokenUsage);

        Assert.That(tokens.MetricPoints.Select(p => MetricsCapture.Tag(p, MetricNames.TokenType)), Is.EquivalentTo(new[] { "input", "output" }));
    }

    [Test]
    public void Record_FallbackAfterAFailedAttempt_CountsBothAttemptsWithTheirOutcomes()
    {
        IReadOnlyList<Attempt> attempts =
        [
            Made("broken", "b-1", AttemptOutcome.Error, 50),
            new Attempt { Provider = "open", Model = "o-1", Outcome = AttemptOutcome.Skipped, Reason = "circuit open" },
            Made("mock", "m-1", AttemptOutcome.Success, 80),
        ];
        _metrics.Record(Record("OK", attempts, new Usage { InputTokens = 9, OutputTokens = 4 }));

        IReadOnlyList<MetricSnapshot> metrics = _capture.Collect();

        MetricSnapshot counted = MetricsCapture.Find(metrics, MetricNames.Attempts);
        Assert.That(
            counted.MetricPoints.Select(p => $"{MetricsCapture.Tag(p, MetricNames.ProviderName)}:{MetricsCapture.Tag(p, MetricNames.Outcome)}:{p.GetSumLong()}"),
            Is.EquivalentTo(new[] { "broken:error:1", "open:skipped:1", "mock:success:1" }));
        MetricSnapshot durations = MetricsCapture.Find(metrics, MetricNames.OperationDuration);
        Assert.That(
            durations.MetricPoints.Select(p => $"{MetricsCapture.Tag(p, MetricNames.ProviderName)}:{MetricsCapture.Tag(p, MetricNames.ErrorType)}:{MetricsCapture.Tag(p, MetricNames.ResponseModel)}"),
            Is.EquivalentTo(new[] { "broken:error:", "mock::m-1" }), "a skipped target was not called, so it has no duration");
        MetricSnapshot tokens = MetricsCapture.Find(metrics, MetricNames.TokenUsage);
        Assert.That(tokens.MetricPoints.Select(p => MetricsCapture.Tag(p, MetricNames.ProviderName)), Is.All.EqualTo("mock"), "tokens belong to the answering attempt");
    }

    [Test]
    public void Record_EveryAttemptFailed_RecordsErrorTypeAndNoTokensOrCost()
    {
        _metrics.Record(Record("UNAVAILABLE", [Made("broken", "b-1", AttemptOutcome.Timeout, 30)], new Usage()));

        IReadOnlyList<MetricSnapshot> metrics = _capture.Collect();

        Assert.That(metrics.Select(m => m.Name), Has.None.EqualTo(MetricNames.TokenUsage).And.None.EqualTo(MetricNames.Cost));
        Assert.That(MetricsCapture.Tag(MetricsCapture.Find(metrics, MetricNames.RequestDuration).MetricPoints.Single(), MetricNames.ErrorType), Is.EqualTo("UNAVAILABLE"));
        Assert.That(MetricsCapture.Tag(MetricsCapture.Find(metrics, MetricNames.OperationDuration).MetricPoints.Single(), MetricNames.ErrorType), Is.EqualTo("timeout"));
    }

    [Test]
    public void Record_NoProviderCalled_LeavesProviderAndModelOut()
    {
        _metrics.Record(Record("RESOURCE_EXHAUSTED", [], new Usage()));

        MetricPoint point = MetricsCapture.Find(_capture.Collect(), MetricNames.RequestDuration).MetricPoints.Single();

        Assert.That(MetricsCapture.Tags(point).Keys, Is.EquivalentTo(new[] { "gen_ai.operation.name", "cortex.route", "cortex.task", "cortex.door", "error.type" }));
    }
}
