using System.Collections.Frozen;
using Google.Protobuf;

namespace Cortex.Llmd.Grpc;

/// <summary>The methods the daemon serves, looked up by request path.</summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, GrpcMethod> _methods = new(StringComparer.Ordinal);
    private FrozenDictionary<string, GrpcMethod>? _frozen;
    private FrozenSet<string>? _services;

    public void AddUnary<TRequest, TResponse>(
        string service, string method, MessageParser<TRequest> parser, Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
        => Add(new UnaryMethod<TRequest, TResponse>(service, method, parser, handler));

    public void AddServerStreaming<TRequest, TResponse>(
        string service,
        string method,
        MessageParser<TRequest> parser,
        Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
        => Add(new ServerStreamingMethod<TRequest, TResponse>(service, method, parser, handler));

    internal bool TryGetMethod(string path, out GrpcMethod method)
    {
        _frozen ??= _methods.ToFrozenDictionary(StringComparer.Ordinal);
        return _frozen.TryGetValue(path, out method!);
    }

    internal bool HasService(string service)
    {
        _services ??= _methods.Values.Select(m => m.Service).ToFrozenSet(StringComparer.Ordinal);
        return _services.Contains(service);
    }

    private void Add(GrpcMethod method)
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException("Methods must be registered before the first call.");
        }

        _methods.Add(method.Path, method);
    }
}
