using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Stats;

namespace Cortex.Llmd.Completions;

/// <summary>
/// The one application service behind every front door: planning, budgets, running, and recording
/// the outcome (ledger row, event) whatever it was. A successful answer is returned, and so sent,
/// only after its ledger row committed (while the ledger is healthy). Doors map their protocol's
/// request and metadata in and <see cref="RouterException"/> out; nothing here knows a protocol.
/// </summary>
public sealed class CompletionService(
    RuntimeModelHolder models,
    RoutePlanner planner,
    CompletionEngine engine,
    CompletionRecorder recorder,
    BudgetGuard budgets,
    TimeProvider timeProvider,
    LedgerOptions ledgerOptions)
{
    /// <summary>
    /// A caller's reset within this margin of its deadline counts as the deadline: clients enforce their
    /// own deadline too, and their reset can beat ours by the transit time.
    /// </summary>
    public static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    public RuntimeModel Model => models.Current;

    public async Task<CompleteResponse> RunAsync(CompleteRequest request, CompletionCall call, CompletionContext context)
    {
        RuntimeModel model = models.Current;
        RoutePlan plan = planner.Plan(request, model, streaming: context.Sink is not null);
        if (!call.TryClaimRow())
        {
            // The call already ended in the door (its deadline passed) and its row is written.
            throw new RouterException(RouterErrorCode.DeadlineExceeded, "deadline exceeded");
        }

        return await RunPlannedAsync(request, context, call, model, plan).ConfigureAwait(false);
    }

    private async Task<CompleteResponse> RunPlannedAsync(
        CompleteRequest request, CompletionContext context, CompletionCall call, RuntimeModel model, RoutePlan plan)
    {
        var trace = new CompletionTrace();
        FirstChunkSink? timedSink = context.Sink is null ? null : new FirstChunkSink(context.Sink, timeProvider);
        var outcome = new Outcome(request, call, model, trace, timedSink, context.Door);
        CompleteResponse response;
        ReservationMeter meter = budgets.Meter(Reservation.None, request, model.Options);
        try
        {
            // Before any provider is called: reserve the worst case, downgrade, or reject (recorded below with 0 attempts).
            BudgetAdmission admission = budgets.Admit(
                request, plan, model.Options, call.Caller, route => planner.Plan(OnRoute(request, route), model, streaming: timedSink is not null));
            plan = admission.Plan;
            meter = budgets.Meter(admission.Reservation, request, model.Options);
            if (admission.DowngradedBy is { } budget)
            {
                context.OnBudgetDowngrade?.Invoke(budget);
            }

            response = await engine.RunAsync(request, plan, model, call.RequestId, timedSink, trace, context.Cancellation, context.Deadline, meter).ConfigureAwait(false);
        }
        catch (RouterException ex)
        {
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(ex.Code), null).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (DeadlineExceeded(context.Deadline))
        {
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(RouterErrorCode.DeadlineExceeded), null).ConfigureAwait(false);
            throw CompletionEngine.Failure(call.RequestId, trace, RouterErrorCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (OperationCanceledException)
        {
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(RouterErrorCode.Cancelled), null).ConfigureAwait(false);
            throw;
        }

        if (DeadlinePassed(context.Deadline))
        {
            // The door already gave up on it: the row says what the caller saw, with what the answer cost.
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(RouterErrorCode.DeadlineExceeded), response).ConfigureAwait(false);
            throw CompletionEngine.Failure(call.RequestId, trace, RouterErrorCode.DeadlineExceeded, "deadline exceeded");
        }

        // The answer leaves only after its ledger row committed: a crash after this point cannot lose it.
        await RecordAsync(outcome, plan, meter.Current, RequestRecord.StatusOk, response).ConfigureAwait(false);
        return response;
    }

    /// <summary>The doors' deadline clocks are the system's (grpc-dotnet's is), so this reads the system clock too.</summary>
    private static bool DeadlineExceeded(DateTimeOffset? deadline) => deadline is { } d && DateTimeOffset.UtcNow >= d - DeadlineSlack;

    private static bool DeadlinePassed(DateTimeOffset? deadline) => deadline is { } d && DateTimeOffset.UtcNow >= d;

    private static CompleteRequest OnRoute(CompleteRequest request, string route)
    {
        CompleteRequest copy = request.Clone();
        copy.Route = route;
        return copy;
    }

    private async ValueTask RecordAsync(Outcome outcome, RoutePlan plan, Reservation reservation, string status, CompleteResponse? response)
    {
        (CompleteRequest request, CompletionCall call, RuntimeModel model, CompletionTrace trace, FirstChunkSink? sink, string door) = outcome;
        TimeSpan latency = timeProvider.GetElapsedTime(call.Start);
        Usage usage = response?.Usage ?? new Usage();
        Cost cost = response?.Cost ?? new Cost { Priced = true };
        Attempt? last = SkippedAttempts.LastMade(trace.Attempts);
        var record = new RequestRecord(
            timeProvider.GetUtcNow(), call.RequestId, request.TaskType, plan.Route, response?.Provider ?? last?.Provider ?? string.Empty,
            response?.Model ?? last?.Model ?? string.Empty, request.TenantId, call.Caller, status, [.. trace.Attempts], usage, cost, latency)
        {
            Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
            Ttft = sink?.FirstChunkAt is { } first ? timeProvider.GetElapsedTime(call.Start, first) : null,
            Door = door,
            PromptText = ledgerOptions.StorePrompts ? PromptText.Of(request) : null,
            AnswerText = ledgerOptions.StorePrompts ? response?.Content : null,
        };

        budgets.Settle(reservation, request.TenantId, call.Caller, cost.NanoUsd, model.Options);
        await recorder.RecordAsync(record).ConfigureAwait(false);
    }

    /// <summary>What every outcome of one call is recorded against.</summary>
    private sealed record Outcome(CompleteRequest Request, CompletionCall Call, RuntimeModel Model, CompletionTrace Trace, FirstChunkSink? Sink, string Door);
}
