using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Services;

/// <summary>
/// Tells a request message the caller got wrong from a handler that failed. grpc-dotnet parses a unary
/// or server-streaming request before any interceptor runs, and reports any exception from that parse
/// (Google.Protobuf throws InvalidOperationException for some truncations, not only
/// InvalidProtocolBufferException) as UNKNOWN. This interceptor marks the call once its request parsed,
/// so <see cref="UnparsableRequestMiddleware"/> knows an UNKNOWN without the mark came from the bytes.
/// Streamed requests are parsed inside the handler; their reader is wrapped instead.
/// </summary>
public sealed class RequestParsedInterceptor : Interceptor
{
    private const string ItemKey = "cortex.request-parsed";

    public static bool WasParsed(HttpContext context) => context.Items.ContainsKey(ItemKey);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Mark(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Mark(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Mark(context);
        return continuation(new ParsingReader<TRequest>(requestStream), context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Mark(context);
        return continuation(new ParsingReader<TRequest>(requestStream), responseStream, context);
    }

    private static void Mark(ServerCallContext context) => context.GetHttpContext().Items[ItemKey] = null;

    /// <summary>
    /// A streamed message that does not parse ends the call with INVALID_ARGUMENT. The reader throws
    /// InvalidOperationException otherwise only when a handler reads concurrently, and the streaming
    /// handlers here (the library's reflection service) read one message at a time.
    /// </summary>
    private sealed class ParsingReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidOperationException)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, UnparsableRequestMiddleware.Detail));
            }
        }
    }
}
