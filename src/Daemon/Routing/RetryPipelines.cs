using System.Collections.Concurrent;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Polly;
using Polly.Retry;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Polly retry pipelines, one per target policy: exponential backoff with jitter, never sooner than a
/// provider's Retry-After, never after the stream started, and never past the caller's deadline.
/// A wait longer than the policy's maximum delay is not waited for: routing falls back instead.
/// </summary>
internal sealed class RetryPipelines(TimeProvider timeProvider, Func<double> randomizer)
{
    /// <summary>The caller's deadline, when it set one: no retry is started that would wait past it.</summary>
    public static readonly ResiliencePropertyKey<DateTimeOffset> DeadlineKey = new("cortex.deadline");

    private readonly ConcurrentDictionary<TargetPolicy, ResiliencePipeline<TryResult>> _pipelines = new();

    public ResiliencePipeline<TryResult> For(TargetPolicy policy) => _pipelines.GetOrAdd(policy, Build);

    private ResiliencePipeline<TryResult> Build(TargetPolicy policy)
    {
        if (policy.Retries == 0)
        {
            return ResiliencePipeline<TryResult>.Empty;
        }

        return new ResiliencePipelineBuilder<TryResult> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<TryResult>
            {
                MaxRetryAttempts = policy.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.RetryBaseDelay,
                MaxDelay = policy.RetryMaxDelay,
                Randomizer = randomizer,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Exception is null && ShouldRetry(args.Outcome.Result.Failure, args.Context, policy)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is null && args.Outcome.Result.Failure?.Error?.RetryAfter is { } wait && wait > TimeSpan.Zero ? wait : null),
            })
            .Build();
    }

    private bool ShouldRetry(TryFailure? failure, ResilienceContext context, TargetPolicy policy)
    {
        if (failure is not { MayRetry: true })
        {
            return false;
        }

        TimeSpan wait = failure.Error?.RetryAfter ?? policy.RetryBaseDelay;
        if (wait > policy.RetryMaxDelay)
        {
            return false;
        }

        return !context.Properties.TryGetValue(DeadlineKey, out DateTimeOffset deadline) || timeProvider.GetUtcNow() + wait < deadline;
    }
}
