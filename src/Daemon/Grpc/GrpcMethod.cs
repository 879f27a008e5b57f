using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llmd.Grpc;

/// <summary>A served method: reads its request, runs its handler, writes its messages.</summary>
internal abstract class GrpcMethod(string service, string name)
{
    public string Service { get; } = service;

    public string Name { get; } = name;

    public string Path => "/" + Service + "/" + Name;

    /// <summary>Runs the call up to, not including, the final status (the handler template writes it).</summary>
    public abstract Task InvokeAsync(ServerCallContext call, GrpcServerOptions options);

    protected static Task<T> ReadRequestAsync<T>(ServerCallContext call, MessageParser<T> parser, GrpcServerOptions options)
        where T : IMessage<T>
    {
        string? encoding = call.GetHeader(GrpcProtocol.EncodingHeader);
        return GrpcRequestReader.ReadSingleMessageAsync(
            call.HttpContext.Request.BodyReader, parser, encoding, options.MaxReceiveMessageSize, call.CancellationToken);
    }
}

internal sealed class UnaryMethod<TRequest, TResponse>(
    string service,
    string name,
    MessageParser<TRequest> parser,
    Func<TRequest, ServerCallContext, Task<TResponse>> handler) : GrpcMethod(service, name)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext call, GrpcServerOptions options)
    {
        TRequest request = await ReadRequestAsync(call, parser, options).ConfigureAwait(false);
        TResponse response = await handler(request, call).ConfigureAwait(false);
        await GrpcResponse.WriteMessageAsync(call, response, call.CancellationToken).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingMethod<TRequest, TResponse>(
    string service,
    string name,
    MessageParser<TRequest> parser,
    Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler) : GrpcMethod(service, name)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext call, GrpcServerOptions options)
    {
        TRequest request = await ReadRequestAsync(call, parser, options).ConfigureAwait(false);
        await handler(request, new ServerStreamWriter<TResponse>(call), call).ConfigureAwait(false);
    }
}
