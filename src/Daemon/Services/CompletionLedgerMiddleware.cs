using Cortex.Llm;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Completions;
using Cortex.Llmd.Stats;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cortex.Llmd.Services;

/// <summary>
/// Wraps the gRPC endpoint of the completion methods so every finished completion has one ledger row.
/// The call's deadline can pass, or its caller leave, while the library still reads the request: then
/// no handler runs, and this writes the row (DEADLINE_EXCEEDED or CANCELLED) the runner could not.
/// Calls the library rejected as malformed (oversize, unparsable) were never requests and get none.
/// </summary>
public sealed class CompletionLedgerMiddleware(CompletionRecorder recorder, TimeProvider timeProvider)
{
    public const string CompletePath = "/" + RouterService.ServiceName + "/Complete";
    public const string StreamCompletePath = "/" + RouterService.ServiceName + "/StreamComplete";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        if (path is not (CompletePath or StreamCompletePath))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        string requestId = RequestIds.FromCaller(context.Request.Headers[CompletionRunner.RequestIdHeader].ToString());
        var call = new CompletionCall(requestId, CallerIdentity.Of(context), timeProvider.GetTimestamp());
        CompletionCallFeature.Set(context, call);
        context.Response.Headers[CompletionRunner.RequestIdHeader] = requestId;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (UnroutedStatus(context) is { } status && call.TryClaimRow())
            {
                await recorder.RecordAsync(Unrouted(call, status)).ConfigureAwait(false);
            }
        }
    }

    private RequestRecord Unrouted(CompletionCall call, StatusCode status) => new(
        timeProvider.GetUtcNow(), call.RequestId, TaskType.Unspecified, string.Empty, string.Empty, string.Empty, string.Empty, call.Caller,
        StatusNames.Of(status), [], new Usage(), new Cost { Priced = true }, timeProvider.GetElapsedTime(call.Start));

    private static StatusCode? UnroutedStatus(HttpContext context)
    {
        StatusCode? written = WrittenStatus(context);
        if (written is StatusCode.DeadlineExceeded or StatusCode.Cancelled)
        {
            return written;
        }

        // A caller that reset the stream got no status at all.
        return written is null && context.RequestAborted.IsCancellationRequested ? StatusCode.Cancelled : null;
    }

    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    private static StatusCode? WrittenStatus(HttpContext context)
    {
        string? text = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString();
        if (string.IsNullOrEmpty(text))
        {
            text = context.Response.Headers["grpc-status"].ToString();
        }

        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int code) ? (StatusCode)code : null;
    }
}
