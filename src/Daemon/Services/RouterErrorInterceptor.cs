using Cortex.Llm;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Services;

/// <summary>
/// The one place a core failure becomes a gRPC status: a <see cref="RouterException"/> leaves as an
/// <see cref="RpcException"/> with its status and the attempt-log trailer, and is logged once, here.
/// It is also the door's last guard on echoed input: every status message leaving a method it wraps is
/// bounded (<see cref="Quote.Message"/>).
/// </summary>
public sealed class RouterErrorInterceptor(ILogger<RouterErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RouterException error)
        {
            throw Map(error, context);
        }
        catch (RpcException error) when (!ReferenceEquals(RouterErrorMapping.Bounded(error), error))
        {
            // Any other status built from caller input is bounded here too, whoever raised it.
            throw RouterErrorMapping.Bounded(error);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (RouterException error)
        {
            throw Map(error, context);
        }
        catch (RpcException error) when (!ReferenceEquals(RouterErrorMapping.Bounded(error), error))
        {
            // Any other status built from caller input is bounded here too, whoever raised it.
            throw RouterErrorMapping.Bounded(error);
        }
    }

    private RpcException Map(RouterException error, ServerCallContext context)
    {
        RpcException mapped = RouterErrorMapping.ToRpc(error);
        string status = StatusNames.Of(mapped.StatusCode);
        if (CompletionCallFeature.Of(context.GetHttpContext()) is { } call)
        {
            Log.CompletionFailed(logger, call.RequestId, error.Attempts?.Attempts.Count ?? 0, status);
        }
        else
        {
            Log.CallFailed(logger, context.Method, status, error.Message);
        }

        return mapped;
    }
}
