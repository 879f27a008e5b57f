using System.Collections.Concurrent;
using Cortex.Llmd.Configuration;
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
    public static readonly ResiliencePropertyKey<RetryGuard> GuardKey = new("cortex.retry-guard");

    private readonly ConcurrentDictionary<TargetPolicy, ResiliencePipeline<AttemptAnswer>> _pipelines = new();

    public ResiliencePipeline<AttemptAnswer> For(TargetPolicy policy) => _pipelines.GetOrAdd(policy, Build);

    private ResiliencePipeline<AttemptAnswer> Build(TargetPolicy policy)
    {
        if (policy.Retries == 0)
        {
            return ResiliencePipeline<AttemptAnswer>.Empty;
        }

        return new ResiliencePipelineBuilder<AttemptAnswer> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<AttemptAnswer>
            {
                MaxRetryAttempts = policy.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.RetryBaseDelay,
                MaxDelay = policy.RetryMaxDelay,
                Randomizer = randomizer,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome.Exception, args.Context, policy)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is ProviderException { RetryAfter: { } wait } && wait > TimeSpan.Zero ? wait : null),
            })
            .Build();
    }

    private bool ShouldRetry(Exception? exception, ResilienceContext context, TargetPolicy policy)
    {
        if (exception is not ProviderException { IsRetryable: true, Kind: not ProviderErrorKind.Timeout } failure
            || !context.Properties.TryGetValue(GuardKey, out RetryGuard? guard)
            || guard.Committed())
        {
            return false;
        }

        TimeSpan wait = failure.RetryAfter ?? policy.RetryBaseDelay;
        if (wait > policy.RetryMaxDelay)
        {
            return false;
        }

        return guard.Deadline is not { } deadline || timeProvider.GetUtcNow() + wait < deadline;
    }
}

/// <summary>Per-request facts the retry decision needs: whether the stream started, and the deadline.</summary>
internal sealed record RetryGuard(Func<bool> Committed, DateTimeOffset? Deadline);
