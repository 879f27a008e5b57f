using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Completions;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Stats;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Services;

/// <summary>
/// The gRPC door's side of a completion: request id and correlation metadata in and out, the call's
/// deadline and cancellation handed to the <see cref="CompletionService"/>, a budget downgrade
/// reported in a response header. Everything else happens behind the service, the same for every door.
/// </summary>
public sealed class CompletionRunner(CompletionService completions, TimeProvider timeProvider)
{
    public const string RequestIdHeader = "x-cortex-request-id";
    public const string CorrelationHeader = "x-cortex-correlation-bin";

    /// <summary>Set on a response whose request an exhausted budget moved to its downgrade route: the budget's name.</summary>
    public const string BudgetDowngradeHeader = "x-cortex-budget-downgrade";

    public Task<CompleteResponse> RunAsync(CompleteRequest request, ServerCallContext context, IChunkSink? sink)
    {
        HttpContext http = context.GetHttpContext();
        CompletionCall call = CompletionCallFeature.Of(http)
            ?? new CompletionCall(RequestIds.FromCaller(context.RequestHeaders.GetValue(RequestIdHeader)), CallerIdentity.Of(http), timeProvider.GetTimestamp());
        http.Response.Headers[RequestIdHeader] = call.RequestId;
        if (context.RequestHeaders.GetValueBytes(CorrelationHeader) is { Length: <= RequestIds.MaxCorrelationBytes } correlation)
        {
            // Opaque caller context handed back unchanged, so callers can match answers to their own records.
            http.Response.Headers[CorrelationHeader] = Convert.ToBase64String(correlation);
        }

        var completion = new CompletionContext(FrontDoors.Grpc, context.CancellationToken)
        {
            Sink = sink,
            Deadline = context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(DateTime.SpecifyKind(context.Deadline, DateTimeKind.Utc)),
            OnBudgetDowngrade = budget => http.Response.Headers[BudgetDowngradeHeader] = budget,
        };
        return completions.RunAsync(request, call, completion);
    }
}
