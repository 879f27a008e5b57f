using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Microsoft.Extensions.Logging;
using Polly;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Walks a plan's eligible candidates until one gives an acceptable answer. Each candidate gets its
/// policy's tries (retry with backoff); a failure or a rejected answer before anything reached the
/// caller falls back to the next candidate; after that, the call ends with UNAVAILABLE, never a clean
/// success. The caller's deadline cancels everything and ends the chain.
/// </summary>
public sealed class CompletionEngine(
    TimeProvider timeProvider, TargetStateRegistry states, EventHub events, AnswerValidator validator, ITargetGate gate, ILogger<CompletionEngine> logger,
    Pricing.UnpricedModels? unpriced = null)
{
    private readonly RetryPipelines _pipelines = new(timeProvider, Random.Shared.NextDouble);
    private readonly TryRunner _tries = new(timeProvider, events, validator, gate, logger);

    public async Task<CompleteResponse> RunAsync(
        CompleteRequest request, RoutePlan plan, IRoutingModel model, string requestId, IChunkSink? sink, CompletionTrace trace,
        CancellationToken cancellationToken, DateTimeOffset? deadline = null, IUsageMeter? meter = null)
    {
        long requestStart = timeProvider.GetTimestamp();
        foreach (PlannedCandidate candidate in plan.Candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!MayAttempt(candidate, trace))
            {
                continue;
            }

            var attempt = new AttemptContext(
                request, plan, candidate, model.Providers[candidate.Target.Provider],
                new ProviderCall(request, candidate.Target.Model, requestId)
                {
                    Capabilities = model.Options.Providers[candidate.Target.Provider].CapabilitiesOf(candidate.Target.Model),
                    // A first-token timeout needs the first token as it is produced, so such targets stream.
                    WholeAnswer = sink is null && candidate.Policy.FirstTokenTimeout is null,
                },
                model.Options.Validation, sink, trace, states.Get(candidate.Target))
            {
                Meter = meter,
            };
            ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
            if (deadline is { } d)
            {
                context.Properties.Set(RetryPipelines.DeadlineKey, d);
            }

            TryResult result;
            try
            {
                result = await _pipelines.For(candidate.Policy).ExecuteAsync(
                    static (ctx, state) => new ValueTask<TryResult>(state.Tries.RunAsync(state.Attempt, ctx.CancellationToken)),
                    context, (Tries: _tries, Attempt: attempt)).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            if (result.Answer is { } answer)
            {
                CompleteResponse response = BuildResponse(attempt, requestId, answer, model, timeProvider.GetElapsedTime(requestStart));
                if (!response.Cost.Priced)
                {
                    unpriced?.Report(candidate.Target);
                }

                return response;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (result.Failure is { Committed: true } broken)
            {
                throw Failure(requestId, trace, RouterErrorCode.StreamInterrupted, $"{candidate.Target} failed after the stream started: {broken.Reason}");
            }
        }

        int made = SkippedAttempts.CountMade(trace.Attempts);
        throw made == 0
            ? Failure(requestId, trace, RouterErrorCode.NoEligibleTarget, $"no eligible target for route '{plan.Route}'")
            : Failure(requestId, trace, RouterErrorCode.AllAttemptsFailed, $"all {made} attempts failed");
    }

    /// <summary>Whether to call the candidate now. A skip the caller did not ask for goes into the attempt log, in chain order.</summary>
    private bool MayAttempt(PlannedCandidate candidate, CompletionTrace trace)
    {
        if (!candidate.Eligible)
        {
            if (!candidate.ExcludedByCaller)
            {
                trace.Attempts.Add(SkippedAttempts.Of(candidate.Target, candidate.Reason));
            }

            return false;
        }

        if (gate.TryEnter(candidate.Target) is { Passes: false } blocked)
        {
            // Since planning its circuit opened, its rate limit began cooling down, or another request took the half-open trial.
            trace.Attempts.Add(SkippedAttempts.Of(candidate.Target, "skipped: " + blocked.Reason));
            return false;
        }

        return true;
    }

    /// <summary>
    /// A failure that carries the attempt log, summarised in its message (bounded: a long chain of long
    /// provider reasons must not make the status message too large for clients) and whole for the front door to attach.
    /// </summary>
    public static RouterException Failure(string requestId, CompletionTrace trace, RouterErrorCode code, string summary)
    {
        var log = new AttemptLog { RequestId = requestId };
        log.Attempts.AddRange(trace.Attempts);
        return new RouterException(code, AttemptSummary.Describe(summary, trace.Attempts), log);
    }

    private static CompleteResponse BuildResponse(AttemptContext attempt, string requestId, AttemptAnswer answer, IRoutingModel model, TimeSpan latency)
    {
        Pricing.ModelPrice? price = model.Options.Providers[attempt.Candidate.Target.Provider].PriceOf(attempt.Candidate.Target.Model);
        bool free = attempt.Provider.Kind == Providers.Mock.MockProviderFactory.KindName;
        var response = new CompleteResponse
        {
            RequestId = requestId,
            Content = answer.Content,
            Provider = attempt.Candidate.Target.Provider,
            Model = attempt.Candidate.Target.Model,
            FinishReason = answer.FinishReason,
            Usage = answer.Usage,
            // The mock is free unless a price is configured for it; any other unpriced model is flagged.
            Cost = new Cost { NanoUsd = price?.CostNanoUsd(answer.Usage) ?? 0, Priced = price is not null || free },
            LatencyUs = (ulong)(latency.Ticks / TimeSpan.TicksPerMicrosecond),
            TimeToFirstTokenUs = (ulong)((answer.TimeToFirstToken ?? latency).Ticks / TimeSpan.TicksPerMicrosecond),
            Route = attempt.Plan.Route,
            TaskType = attempt.Request.TaskType,
        };
        response.ToolCalls.AddRange(answer.ToolCalls);
        response.Attempts.AddRange(attempt.Trace.Attempts);
        return response;
    }
}

/// <summary>What a request did, kept even when it fails, for stats and events.</summary>
public sealed class CompletionTrace
{
    public List<Attempt> Attempts { get; } = [];
}
