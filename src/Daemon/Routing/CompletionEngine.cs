using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Cortex.Llmd.Grpc;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Events;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Walks a plan's eligible candidates until one answers. A failure before anything reached the caller
/// falls back to the next candidate; after that, the call ends with UNAVAILABLE, never a clean success.
/// </summary>
public sealed class CompletionEngine(TimeProvider timeProvider, TargetStateRegistry states, EventHub events, ILogger<CompletionEngine> logger)
{
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    public async Task<CompleteResponse> RunAsync(
        CompleteRequest request, RoutePlan plan, RuntimeModel model, string requestId, IChunkSink? sink, CompletionTrace trace, CancellationToken cancellationToken)
    {
        long requestStart = timeProvider.GetTimestamp();
        foreach (PlannedCandidate candidate in plan.Eligible)
        {
            IProvider provider = model.Providers[candidate.Target.Provider];
            var call = new ProviderCall(request, candidate.Target.Model, requestId)
            {
                Capabilities = model.Options.Providers[candidate.Target.Provider].CapabilitiesOf(candidate.Target.Model),
            };
            var runner = new AttemptRunner(timeProvider, sink);
            TargetState state = states.Get(candidate.Target);
            long start = timeProvider.GetTimestamp();
            state.Begin();
            try
            {
                AttemptAnswer answer = await runner.RunAsync(provider, call, start, cancellationToken).ConfigureAwait(false);
                TimeSpan latency = timeProvider.GetElapsedTime(start);
                Finish(state, success: true, latency, null);
                trace.Attempts.Add(NewAttempt(candidate, AttemptOutcome.Success, "ok", latency, answer.HttpStatus));
                return BuildResponse(request, plan, candidate, provider, requestId, answer, trace, timeProvider.GetElapsedTime(requestStart));
            }
            catch (ProviderException ex)
            {
                TimeSpan latency = timeProvider.GetElapsedTime(start);
                Finish(state, success: false, latency, ex.Message);
                trace.Attempts.Add(NewAttempt(candidate, OutcomeOf(ex), ex.Message, latency, ex.HttpStatus));
                Log.AttemptFinished(logger, requestId, candidate.Target.Provider, candidate.Target.Model, OutcomeOf(ex).ToString(), ex.Message);
                if (runner.Committed)
                {
                    throw Failure(requestId, trace, $"provider {candidate.Target} failed after the stream started: {ex.Message}");
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                state.Abandon();
                trace.Attempts.Add(NewAttempt(candidate, AttemptOutcome.Cancelled, "the call was cancelled or its deadline passed", timeProvider.GetElapsedTime(start), 0));
                throw;
            }
        }

        throw trace.Attempts.Count == 0
            ? new RpcException(GrpcStatusCode.FailedPrecondition, $"no eligible target for route '{plan.Route}': " + string.Join("; ", plan.Candidates.Select(c => $"{c.Target}: {c.Reason}")))
            : Failure(requestId, trace, $"all {trace.Attempts.Count} attempts failed");
    }

    private void Finish(TargetState state, bool success, TimeSpan latency, string? error)
    {
        if (state.End(success, latency, error, timeProvider.GetUtcNow()) is { } previous)
        {
            events.PublishStateChange(state.Target, previous, success ? ProviderState.Healthy : ProviderState.Degraded, error ?? "attempt succeeded");
        }
    }

    private static RpcException Failure(string requestId, CompletionTrace trace, string summary)
    {
        var log = new AttemptLog { RequestId = requestId };
        log.Attempts.AddRange(trace.Attempts);
        string detail = summary + ": " + string.Join("; ", trace.Attempts.Select(a => $"{a.Provider}/{a.Model} {a.Outcome}: {a.Reason}"));
        return new RpcException(GrpcStatusCode.Unavailable, detail, [new(AttemptsTrailer, log.ToByteArray())]);
    }

    private static AttemptOutcome OutcomeOf(ProviderException ex) => ex.Kind switch
    {
        ProviderErrorKind.RateLimited => AttemptOutcome.RateLimited,
        ProviderErrorKind.Timeout => AttemptOutcome.Timeout,
        _ => AttemptOutcome.Error,
    };

    private static Attempt NewAttempt(PlannedCandidate candidate, AttemptOutcome outcome, string reason, TimeSpan latency, int httpStatus) => new()
    {
        Provider = candidate.Target.Provider,
        Model = candidate.Target.Model,
        Outcome = outcome,
        Reason = reason,
        LatencyUs = (ulong)(latency.Ticks / TimeSpan.TicksPerMicrosecond),
        HttpStatus = (uint)Math.Max(0, httpStatus),
    };

    private static CompleteResponse BuildResponse(
        CompleteRequest request, RoutePlan plan, PlannedCandidate candidate, IProvider provider, string requestId, AttemptAnswer answer, CompletionTrace trace, TimeSpan latency)
    {
        var response = new CompleteResponse
        {
            RequestId = requestId,
            Content = answer.Content,
            Provider = candidate.Target.Provider,
            Model = candidate.Target.Model,
            FinishReason = answer.FinishReason,
            Usage = answer.Usage,
            // Prices arrive with the ledger; until then only the mock, which is free, is priced.
            Cost = new Cost { NanoUsd = 0, Priced = provider.Kind == Providers.Mock.MockProviderFactory.KindName },
            LatencyUs = (ulong)(latency.Ticks / TimeSpan.TicksPerMicrosecond),
            TimeToFirstTokenUs = (ulong)((answer.TimeToFirstToken ?? latency).Ticks / TimeSpan.TicksPerMicrosecond),
            Route = plan.Route,
            TaskType = request.TaskType,
        };
        response.ToolCalls.AddRange(answer.ToolCalls);
        response.Attempts.AddRange(trace.Attempts);
        return response;
    }
}

/// <summary>What a request did, kept even when it fails, for stats and events.</summary>
public sealed class CompletionTrace
{
    public List<Attempt> Attempts { get; } = [];
}
