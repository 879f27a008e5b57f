using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Stats;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Services;

/// <summary>
/// One completion from the service's point of view: request id and metadata, planning, running,
/// and recording the outcome (ledger row and an event) whatever it was. A successful answer is
/// returned, and so sent, only after its ledger row committed (while the ledger is healthy).
/// </summary>
public sealed class CompletionRunner(
    RuntimeModelHolder models,
    RoutePlanner planner,
    CompletionEngine engine,
    CompletionRecorder recorder,
    BudgetGuard budgets,
    TimeProvider timeProvider,
    LedgerOptions ledgerOptions)
{
    public const string RequestIdHeader = "x-cortex-request-id";
    public const string CorrelationHeader = "x-cortex-correlation-bin";

    /// <summary>Set on a response whose request an exhausted budget moved to its downgrade route: the budget's name.</summary>
    public const string BudgetDowngradeHeader = "x-cortex-budget-downgrade";

    /// <summary>
    /// A caller's reset within this margin of its deadline counts as the deadline: clients enforce their
    /// own deadline too, and their reset can beat ours by the transit time.
    /// </summary>
    public static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    public async Task<CompleteResponse> RunAsync(CompleteRequest request, ServerCallContext context, IChunkSink? sink)
    {
        HttpContext http = context.GetHttpContext();
        CompletionCall call = CompletionCall.Of(http)
            ?? new CompletionCall(RequestIds.FromCaller(context.RequestHeaders.GetValue(RequestIdHeader)), CallerIdentity.Of(http), timeProvider.GetTimestamp());
        http.Response.Headers[RequestIdHeader] = call.RequestId;
        if (context.RequestHeaders.GetValueBytes(CorrelationHeader) is { Length: <= RequestIds.MaxCorrelationBytes } correlation)
        {
            // Opaque caller context handed back unchanged, so callers can match answers to their own records.
            http.Response.Headers[CorrelationHeader] = Convert.ToBase64String(correlation);
        }

        RuntimeModel model = models.Current;
        RoutePlan plan = planner.Plan(request, model, streaming: sink is not null);
        if (!call.TryClaimRow())
        {
            // The call already ended in the gRPC layer (its deadline passed) and its row is written.
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline exceeded"));
        }

        return await RunPlannedAsync(request, context, sink, call, model, plan).ConfigureAwait(false);
    }

    private async Task<CompleteResponse> RunPlannedAsync(
        CompleteRequest request, ServerCallContext context, IChunkSink? sink, CompletionCall call, RuntimeModel model, RoutePlan plan)
    {
        var trace = new CompletionTrace();
        FirstChunkSink? timedSink = sink is null ? null : new FirstChunkSink(sink, timeProvider);
        var outcome = new Outcome(request, call, model, trace, timedSink);
        CompleteResponse response;
        var admission = new BudgetAdmission(plan, Reservation.None);
        ReservationMeter meter = budgets.Meter(Reservation.None, request, model.Options);
        try
        {
            // Before any provider is called: reserve the worst case, downgrade, or reject (recorded below with 0 attempts).
            admission = budgets.Admit(request, plan, model.Options, call.Caller, route => planner.Plan(OnRoute(request, route), model, streaming: sink is not null));
            plan = admission.Plan;
            meter = budgets.Meter(admission.Reservation, request, model.Options);
            if (admission.DowngradedBy is { } budget)
            {
                context.GetHttpContext().Response.Headers[BudgetDowngradeHeader] = budget;
            }

            response = await engine.RunAsync(request, plan, model, call.RequestId, timedSink, trace, context.CancellationToken, DeadlineOf(context), meter).ConfigureAwait(false);
        }
        catch (RouterException ex)
        {
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(ex.Code), null).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (DeadlineExceeded(context))
        {
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(RouterErrorCode.DeadlineExceeded), null).ConfigureAwait(false);
            throw CompletionEngine.Failure(call.RequestId, trace, RouterErrorCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (OperationCanceledException)
        {
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(RouterErrorCode.Cancelled), null).ConfigureAwait(false);
            throw;
        }

        if (DeadlinePassed(context))
        {
            // The library already answered DEADLINE_EXCEEDED: the row says what the caller saw, with what the answer cost.
            await RecordAsync(outcome, plan, meter.Current, RouterErrorStatus.Name(RouterErrorCode.DeadlineExceeded), response).ConfigureAwait(false);
            throw CompletionEngine.Failure(call.RequestId, trace, RouterErrorCode.DeadlineExceeded, "deadline exceeded");
        }

        // The answer leaves only after its ledger row committed: a crash after this point cannot lose it.
        await RecordAsync(outcome, plan, meter.Current, RequestRecord.StatusOk, response).ConfigureAwait(false);
        return response;
    }

    private static DateTimeOffset? DeadlineOf(ServerCallContext context) =>
        context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(DateTime.SpecifyKind(context.Deadline, DateTimeKind.Utc));

    /// <summary>The library's deadline clock is the system's, so this reads the system clock too.</summary>
    private static bool DeadlineExceeded(ServerCallContext context) =>
        context.Deadline != DateTime.MaxValue && DateTime.UtcNow >= context.Deadline - DeadlineSlack;

    private static bool DeadlinePassed(ServerCallContext context) =>
        context.Deadline != DateTime.MaxValue && DateTime.UtcNow >= context.Deadline;

    private static CompleteRequest OnRoute(CompleteRequest request, string route)
    {
        CompleteRequest copy = request.Clone();
        copy.Route = route;
        return copy;
    }

    private async ValueTask RecordAsync(Outcome outcome, RoutePlan plan, Reservation reservation, string status, CompleteResponse? response)
    {
        (CompleteRequest request, CompletionCall call, RuntimeModel model, CompletionTrace trace, FirstChunkSink? sink) = outcome;
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
            PromptText = ledgerOptions.StorePrompts ? PromptText.Of(request) : null,
            AnswerText = ledgerOptions.StorePrompts ? response?.Content : null,
        };

        budgets.Settle(reservation, request.TenantId, call.Caller, cost.NanoUsd, model.Options);
        await recorder.RecordAsync(record).ConfigureAwait(false);
    }

    /// <summary>What every outcome of one call is recorded against.</summary>
    private sealed record Outcome(CompleteRequest Request, CompletionCall Call, RuntimeModel Model, CompletionTrace Trace, FirstChunkSink? Sink);
}
