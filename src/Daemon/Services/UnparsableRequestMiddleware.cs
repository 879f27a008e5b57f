using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Services;

/// <summary>
/// grpc-dotnet answers a request message that is not valid protobuf with UNKNOWN ("Exception was thrown
/// by handler"), which would blame the daemon for the caller's bytes. The library parses the message
/// before any interceptor runs, so the status is corrected here: an UNKNOWN for a call whose request never
/// reached <see cref="RequestParsedInterceptor"/> came from the parse. The message is read before
/// anything is written, so the answer is trailers-only and still unsent when the endpoint returns.
/// </summary>
public static class UnparsableRequestMiddleware
{
    public const string Detail = "Request message is not valid protobuf.";

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        if (!context.Response.HasStarted
            && context.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Status is { StatusCode: StatusCode.Unknown } status
            && (status.DebugException is InvalidProtocolBufferException || !RequestParsedInterceptor.WasParsed(context)))
        {
            context.Response.Headers["grpc-status"] = ((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Detail;
        }
    }
}
