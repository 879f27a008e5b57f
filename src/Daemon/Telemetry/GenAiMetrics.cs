using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cortex.Llm.V1;
using Cortex.Llmd.Model;
using Cortex.Llmd.Stats;

namespace Cortex.Llmd.Telemetry;

/// <summary>
/// The daemon's metrics, recorded from each finished request (both front doors). Provider calls are
/// per attempt: one duration and one outcome count for every attempt, with that attempt's provider and
/// model. Tokens, cost and time to first chunk exist only for the answer, so they are per request,
/// with the answering provider and model. Without an exporter listening, the instruments are not
/// enabled and <see cref="Record"/> returns at once.
/// </summary>
public sealed class GenAiMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _cost;

    public GenAiMetrics()
    {
        _meter = new Meter(MetricNames.MeterName, typeof(GenAiMetrics).Assembly.GetName().Version?.ToString(3));
        _tokens = _meter.CreateHistogram(MetricNames.TokenUsage, "{token}", "Tokens of the answering provider call, by gen_ai.token.type", tags: null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = [.. MetricNames.TokenBuckets.Select(b => (long)b)] });
        _operationDuration = _meter.CreateHistogram(MetricNames.OperationDuration, "s", "Duration of each provider call (attempt)", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _timeToFirstChunk = _meter.CreateHistogram(MetricNames.TimeToFirstChunk, "s", "Time from a streamed request's arrival to its first chunk", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _requestDuration = _meter.CreateHistogram(MetricNames.RequestDuration, "s", "Duration of each request, all its attempts included", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _attempts = _meter.CreateCounter<long>(MetricNames.Attempts, "{attempt}", "Attempts by outcome, skipped targets included");
        _cost = _meter.CreateCounter<long>(MetricNames.Cost, "{nano_usd}", "Cost of answers in nano-USD (1e-9 USD)");
    }

    public void Record(RequestRecord record)
    {
        if (!(_tokens.Enabled || _operationDuration.Enabled || _timeToFirstChunk.Enabled || _requestDuration.Enabled || _attempts.Enabled || _cost.Enabled))
        {
            return;
        }

        string task = TaskNames.ConfigKey(record.Task);
        foreach (Attempt attempt in record.Attempts)
        {
            RecordAttempt(record, task, attempt);
        }

        RecordRequest(record, task);
    }

    private void RecordAttempt(RequestRecord record, string task, Attempt attempt)
    {
        TagList tags = Common(record, task, attempt.Provider, attempt.Model);
        string outcome = OutcomeName(attempt.Outcome);
        TagList counted = tags;
        counted.Add(MetricNames.Outcome, outcome);
        _attempts.Add(1, counted);
        if (attempt.Outcome == AttemptOutcome.Skipped)
        {
            return;
        }

        if (attempt.Outcome == AttemptOutcome.Success)
        {
            tags.Add(MetricNames.ResponseModel, attempt.Model);
        }
        else
        {
            tags.Add(MetricNames.ErrorType, outcome);
        }

        _operationDuration.Record(attempt.LatencyUs / 1e6, tags);
    }

    private void RecordRequest(RequestRecord record, string task)
    {
        TagList tags = Common(record, task, record.Provider, record.Model);
        TagList timed = tags;
        if (!record.Succeeded)
        {
            timed.Add(MetricNames.ErrorType, record.Status);
        }

        _requestDuration.Record(record.Latency.TotalSeconds, timed);
        if (record.Ttft is { } ttft)
        {
            _timeToFirstChunk.Record(ttft.TotalSeconds, timed);
        }

        Usage usage = record.Usage;
        ulong input = usage.InputTokens + usage.CachedInputTokens + usage.CacheWriteTokens;
        if (!record.Succeeded && input == 0 && usage.OutputTokens == 0)
        {
            // No answer came back: there are no token counts to report, and the convention forbids guessing.
            return;
        }

        tags.Add(MetricNames.ResponseModel, record.Model);
        RecordTokens(tags, MetricNames.Input, input, always: true);
        RecordTokens(tags, MetricNames.Output, usage.OutputTokens, always: true);
        RecordTokens(tags, MetricNames.InputCacheRead, usage.CachedInputTokens, always: false);
        RecordTokens(tags, MetricNames.InputCacheCreation, usage.CacheWriteTokens, always: false);
        RecordTokens(tags, MetricNames.OutputReasoning, usage.ReasoningTokens, always: false);

        TagList costTags = tags;
        costTags.Add(MetricNames.Priced, record.Cost.Priced);
        _cost.Add(record.Cost.NanoUsd, costTags);
    }

    private void RecordTokens(TagList tags, string type, ulong count, bool always)
    {
        if (count == 0 && !always)
        {
            return;
        }

        tags.Add(MetricNames.TokenType, type);
        _tokens.Record((long)Math.Min(count, long.MaxValue), tags);
    }

    /// <summary>
    /// Attributes every instrument carries; provider and model are left out when no provider was called.
    /// At most 8 tags in all, so a TagList stays inline: copies of it are then independent and allocate nothing.
    /// </summary>
    private static TagList Common(RequestRecord record, string task, string provider, string model)
    {
        var tags = new TagList
        {
            { MetricNames.OperationName, MetricNames.Chat },
            { MetricNames.Route, record.Route },
            { MetricNames.Task, task },
            { MetricNames.Door, record.Door },
        };
        if (provider.Length > 0)
        {
            tags.Add(MetricNames.ProviderName, provider);
            tags.Add(MetricNames.RequestModel, model);
        }

        return tags;
    }

    public static string OutcomeName(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Success => "success",
        AttemptOutcome.Error => "error",
        AttemptOutcome.Timeout => "timeout",
        AttemptOutcome.Refusal => "refusal",
        AttemptOutcome.InvalidAnswer => "invalid_answer",
        AttemptOutcome.RateLimited => "rate_limited",
        AttemptOutcome.Cancelled => "cancelled",
        AttemptOutcome.Skipped => "skipped",
        _ => "_OTHER",
    };

    public void Dispose() => _meter.Dispose();
}
