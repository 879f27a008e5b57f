using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Grpc;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Stats;
using Microsoft.Extensions.Logging;

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
    IStatsStore stats,
    EventHub events,
    BudgetGuard budgets,
    TimeProvider timeProvider,
    LedgerOptions ledgerOptions,
    ILogger<CompletionRunner> logger)
{
    public const string RequestIdHeader = "x-cortex-request-id";
    public const string CorrelationHeader = "x-cortex-correlation-bin";

    /// <summary>Set on a response whose request an exhausted budget moved to its downgrade route: the budget's name.</summary>
    public const string BudgetDowngradeHeader = "x-cortex-budget-downgrade";

    public async Task<CompleteResponse> RunAsync(CompleteRequest request, ServerCallContext context, IChunkSink? sink)
    {
        long start = timeProvider.GetTimestamp();
        string requestId = RequestIds.FromCaller(context.GetHeader(RequestIdHeader));
        context.AddResponseHeader(RequestIdHeader, requestId);
        if (context.GetBinaryHeader(CorrelationHeader) is { Length: <= RequestIds.MaxCorrelationBytes } correlation)
        {
            // Opaque caller context handed back unchanged, so callers can match answers to their own records.
            context.AddResponseHeader(CorrelationHeader, correlation);
        }

        RuntimeModel model = models.Current;
        RoutePlan plan = planner.Plan(request, model, streaming: sink is not null);
        var trace = new CompletionTrace();
        CallerInfo caller = CallerIdentity.Of(context.HttpContext);
        FirstChunkSink? timedSink = sink is null ? null : new FirstChunkSink(sink, timeProvider);
        CompleteResponse response;
        var admission = new BudgetAdmission(plan, Reservation.None);
        try
        {
            // Before any provider is called: reserve the worst case, downgrade, or reject (recorded below with 0 attempts).
            admission = budgets.Admit(request, plan, model.Options, caller, route => planner.Plan(OnRoute(request, route), model, streaming: sink is not null));
            plan = admission.Plan;
            if (admission.DowngradedBy is { } budget)
            {
                context.AddResponseHeader(BudgetDowngradeHeader, budget);
            }

            response = await engine.RunAsync(request, plan, model, requestId, timedSink, trace, context.CancellationToken, context.Deadline).ConfigureAwait(false);
        }
        catch (RouterException ex)
        {
            string status = RouterErrorStatus.Name(ex.Code);
            await RecordAsync(request, plan, admission.Reservation, model, requestId, caller, status, trace, null, start, timedSink).ConfigureAwait(false);
            Log.CompletionFailed(logger, requestId, trace.Attempts.Count, status);
            throw;
        }
        catch (OperationCanceledException) when (context.DeadlineExceeded)
        {
            await RecordAsync(request, plan, admission.Reservation, model, requestId, caller, RouterErrorStatus.Name(RouterErrorCode.DeadlineExceeded), trace, null, start, timedSink).ConfigureAwait(false);
            throw CompletionEngine.Failure(requestId, trace, RouterErrorCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (OperationCanceledException)
        {
            await RecordAsync(request, plan, admission.Reservation, model, requestId, caller, RouterErrorStatus.Name(RouterErrorCode.Cancelled), trace, null, start, timedSink).ConfigureAwait(false);
            throw;
        }

        // The answer leaves only after its ledger row committed: a crash after this point cannot lose it.
        await RecordAsync(request, plan, admission.Reservation, model, requestId, caller, RequestRecord.StatusOk, trace, response, start, timedSink).ConfigureAwait(false);
        return response;
    }

    private static CompleteRequest OnRoute(CompleteRequest request, string route)
    {
        CompleteRequest copy = request.Clone();
        copy.Route = route;
        return copy;
    }

    private async ValueTask RecordAsync(
        CompleteRequest request, RoutePlan plan, Reservation reservation, RuntimeModel model, string requestId, CallerInfo caller, string status, CompletionTrace trace, CompleteResponse? response, long start,
        FirstChunkSink? sink)
    {
        TimeSpan latency = timeProvider.GetElapsedTime(start);
        Usage usage = response?.Usage ?? new Usage();
        Cost cost = response?.Cost ?? new Cost { Priced = true };
        Attempt? last = trace.Attempts.Count > 0 ? trace.Attempts[^1] : null;
        var record = new RequestRecord(
            timeProvider.GetUtcNow(), requestId, request.TaskType, plan.Route, response?.Provider ?? last?.Provider ?? string.Empty,
            response?.Model ?? last?.Model ?? string.Empty, request.TenantId, caller, status, [.. trace.Attempts], usage, cost, latency)
        {
            Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
            Ttft = sink?.FirstChunkAt is { } first ? timeProvider.GetElapsedTime(start, first) : null,
            PromptText = ledgerOptions.StorePrompts ? PromptText.Of(request) : null,
            AnswerText = ledgerOptions.StorePrompts ? response?.Content : null,
        };

        budgets.Settle(reservation, request.TenantId, caller, cost.NanoUsd, model.Options);

        // Failures were not answered: nobody waits on their row, so a caller that went away does not hold it up.
        await stats.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);

        var finished = new RequestFinished
        {
            RequestId = requestId,
            Caller = caller.ToProto(),
            TaskType = request.TaskType,
            Route = plan.Route,
            Provider = record.Provider,
            Model = record.Model,
            Status = status,
            LatencyUs = (ulong)(latency.Ticks / TimeSpan.TicksPerMicrosecond),
            Cost = cost,
            Usage = usage,
            TenantId = request.TenantId,
        };
        finished.Attempts.AddRange(trace.Attempts);
        events.Publish(new Event { RequestFinished = finished });
    }
}
