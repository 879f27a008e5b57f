using Cortex.Llm.V1;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Events;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Routing;

/// <summary>
/// One try of one candidate: the attempt and first-token timers, the guarded sink, answer validation,
/// and exactly one attempt-log entry and one target-state update whatever happens. A provider failure
/// or a rejected answer is returned as a <see cref="TryFailure"/>; only the caller's cancellation throws.
/// </summary>
internal sealed class TryRunner(TimeProvider time, EventHub events, AnswerValidator validator, ITargetGate gate, ILogger logger)
{
    public async Task<TryResult> RunAsync(AttemptContext a, CancellationToken cancellationToken)
    {
        TargetPolicy policy = a.Candidate.Policy;
        var sink = new GuardedSink(
            a.Sink, a.Validation.RefusalWindow, holdAll: a.Request.ResponseJsonSchema.Length > 0, text => validator.FindRefusal(text, a.Validation));
        using var timeout = new CancellationTokenSource(policy.Timeout, time);
        using var firstToken = policy.FirstTokenTimeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, firstToken?.Token ?? CancellationToken.None);
        long start = time.GetTimestamp();
        var exchange = new ExchangeStatus { Meter = a.Meter?.For(a.Candidate.Target) };
        a.State.Begin();
        try
        {
            AttemptAnswer? answer = await AttemptRunner.RunAsync(
                a.Provider, a.Call, sink, time, start, () => firstToken?.CancelAfter(Timeout.InfiniteTimeSpan), exchange, linked.Token).ConfigureAwait(false);
            if (answer is null)
            {
                return Rejected(a, AttemptOutcome.Refusal, sink.Refusal ?? "refusal", start, exchange.HttpStatus, sink.Committed);
            }

            if (validator.Check(answer, a.Request, a.Validation) is { } rejection)
            {
                return Rejected(a, rejection.Outcome, rejection.Reason, start, answer.HttpStatus, sink.Committed);
            }

            await sink.ReleaseAsync(linked.Token).ConfigureAwait(false);
            Record(a, AttemptOutcome.Success, "ok", start, answer.HttpStatus, healthy: true);
            return TryResult.Of(answer);
        }
        catch (ProviderException ex) when (ex.Kind == ProviderErrorKind.InvalidAnswer)
        {
            return Rejected(a, AttemptOutcome.InvalidAnswer, ex.Message, start, StatusOf(ex, exchange), sink.Committed);
        }
        catch (ProviderException ex)
        {
            if (ex is { Kind: ProviderErrorKind.RateLimited, RetryAfter: { } wait })
            {
                // Remembered beyond this request: the next ones skip the target until the wait ends.
                gate.CoolDown(a.Candidate.Target, wait, ex.RetryAfterSource ?? "Retry-After " + DurationText.Format(wait));
            }

            Record(a, OutcomeOf(ex), ex.Message, start, StatusOf(ex, exchange), healthy: false);
            return TryResult.Of(new TryFailure(OutcomeOf(ex), ex.Message, ex, sink.Committed));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            bool noFirstToken = firstToken?.IsCancellationRequested == true;
            var ex = new ProviderException(ProviderErrorKind.Timeout, noFirstToken
                ? $"{a.Provider.Name}: no first token within {DurationText.Format(policy.FirstTokenTimeout!.Value)}"
                : $"{a.Provider.Name}: attempt timed out after {DurationText.Format(policy.Timeout)}");
            Record(a, AttemptOutcome.Timeout, ex.Message, start, exchange.HttpStatus, healthy: false);
            return TryResult.Of(new TryFailure(AttemptOutcome.Timeout, ex.Message, ex, sink.Committed));
        }
        catch (OperationCanceledException)
        {
            a.State.Abandon();
            gate.Abandon(a.Candidate.Target);
            a.Trace.Attempts.Add(NewAttempt(a, AttemptOutcome.Cancelled, "the call was cancelled or its deadline passed", time.GetElapsedTime(start), exchange.HttpStatus));
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An adapter bug must not take the request down with it: count it as that provider's failure.
            var failure = new ProviderException(ProviderErrorKind.InvalidResponse, $"{a.Provider.Name}: unexpected {ex.GetType().Name}");
            Record(a, AttemptOutcome.Error, failure.Message, start, exchange.HttpStatus, healthy: false);
            return TryResult.Of(new TryFailure(AttemptOutcome.Error, failure.Message, failure, sink.Committed));
        }
    }

    /// <summary>The provider worked; the answer did not. Its health is fine, and the request moves on.</summary>
    private TryResult Rejected(AttemptContext a, AttemptOutcome outcome, string reason, long start, int httpStatus, bool committed)
    {
        Record(a, outcome, reason, start, httpStatus, healthy: true);
        return TryResult.Of(new TryFailure(outcome, reason, null, committed));
    }

    private void Record(AttemptContext a, AttemptOutcome outcome, string reason, long start, int httpStatus, bool healthy)
    {
        TimeSpan latency = time.GetElapsedTime(start);
        a.Trace.Attempts.Add(NewAttempt(a, outcome, reason, latency, httpStatus));
        gate.Report(a.Candidate.Target, healthy, reason);
        if (a.State.End(healthy, latency, healthy ? null : reason, time.GetUtcNow()) is { } previous)
        {
            events.PublishStateChange(a.State.Target, previous, healthy ? ProviderState.Healthy : ProviderState.Degraded, healthy ? "attempt succeeded" : reason);
        }

        if (outcome != AttemptOutcome.Success)
        {
            Log.AttemptFinished(logger, a.Call.RequestId, a.Candidate.Target.Provider, a.Candidate.Target.Model, outcome.ToString(), reason);
        }
    }

    /// <summary>A failure the adapter raised without a status (a connection lost mid-body) still happened on an exchange.</summary>
    private static int StatusOf(ProviderException ex, ExchangeStatus exchange) => ex.HttpStatus != 0 ? ex.HttpStatus : exchange.HttpStatus;

    private static AttemptOutcome OutcomeOf(ProviderException ex) => ex.Kind switch
    {
        ProviderErrorKind.RateLimited => AttemptOutcome.RateLimited,
        ProviderErrorKind.Timeout => AttemptOutcome.Timeout,
        _ => AttemptOutcome.Error,
    };

    private static Attempt NewAttempt(AttemptContext a, AttemptOutcome outcome, string reason, TimeSpan latency, int httpStatus) => new()
    {
        Provider = a.Candidate.Target.Provider,
        Model = a.Candidate.Target.Model,
        Outcome = outcome,
        Reason = Errors.Quote.Clip(reason, Errors.Quote.MaxChars * 2),
        LatencyUs = (ulong)(latency.Ticks / TimeSpan.TicksPerMicrosecond),
        HttpStatus = (uint)Math.Max(0, httpStatus),
    };
}
