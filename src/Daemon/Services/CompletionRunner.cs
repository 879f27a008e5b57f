using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Events;
using Cortex.Llmd.Grpc;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Stats;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Services;

/// <summary>
/// One completion from the service's point of view: request id and metadata, planning, running,
/// and recording the outcome (stats and an event) whatever it was.
/// </summary>
public sealed class CompletionRunner(
    RuntimeModelHolder models,
    RoutePlanner planner,
    CompletionEngine engine,
    IStatsStore stats,
    EventHub events,
    TimeProvider timeProvider,
    ILogger<CompletionRunner> logger)
{
    public const string RequestIdHeader = "x-cortex-request-id";
    public const string CorrelationHeader = "x-cortex-correlation-bin";

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
        try
        {
            CompleteResponse response = await engine.RunAsync(request, plan, model, requestId, sink, trace, context.CancellationToken, context.Deadline).ConfigureAwait(false);
            Record(request, plan, requestId, caller, RequestRecord.StatusOk, trace, response, start);
            return response;
        }
        catch (RpcException ex)
        {
            Record(request, plan, requestId, caller, ex.StatusCode.ToWireName(), trace, null, start);
            Log.CompletionFailed(logger, requestId, trace.Attempts.Count, ex.StatusCode.ToWireName());
            throw;
        }
        catch (OperationCanceledException) when (context.DeadlineExceeded)
        {
            Record(request, plan, requestId, caller, GrpcStatusCode.DeadlineExceeded.ToWireName(), trace, null, start);
            throw CompletionEngine.Failure(requestId, trace, GrpcStatusCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (OperationCanceledException)
        {
            Record(request, plan, requestId, caller, GrpcStatusCode.Cancelled.ToWireName(), trace, null, start);
            throw;
        }
    }

    private void Record(
        CompleteRequest request, RoutePlan plan, string requestId, CallerInfo caller, string status, CompletionTrace trace, CompleteResponse? response, long start)
    {
        TimeSpan latency = timeProvider.GetElapsedTime(start);
        Usage usage = response?.Usage ?? new Usage();
        Cost cost = response?.Cost ?? new Cost { Priced = true };
        Attempt? last = trace.Attempts.Count > 0 ? trace.Attempts[^1] : null;
        var record = new RequestRecord(
            timeProvider.GetUtcNow(), requestId, request.TaskType, plan.Route, response?.Provider ?? last?.Provider ?? string.Empty,
            response?.Model ?? last?.Model ?? string.Empty, request.TenantId, caller, status, [.. trace.Attempts], usage, cost, latency);
        stats.Record(record);

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
