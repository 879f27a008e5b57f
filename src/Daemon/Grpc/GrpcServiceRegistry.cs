using Google.Protobuf;

namespace Cortex.Llmd.Grpc;

/// <summary>The methods the daemon serves, looked up by request path.</summary>
/// <remarks>
/// Registration ends at the first lookup; from then on the tables are only read, which a plain
/// <see cref="Dictionary{TKey, TValue}"/> allows from any number of threads. Frozen collections would
/// map System.Collections.Immutable into the process for a dozen entries.
/// </remarks>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, GrpcMethod> _methods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);
    private volatile bool _sealed;

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
        Seal();
        return _methods.TryGetValue(path, out method!);
    }

    internal bool HasService(string service)
    {
        Seal();
        return _services.Contains(service);
    }

    private void Add(GrpcMethod method)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("Methods must be registered before the first call.");
        }

        _methods.Add(method.Path, method);
        _services.Add(method.Service);
    }

    // Written once, not on every call: concurrent requests would otherwise keep writing one shared field.
    private void Seal()
    {
        if (!_sealed)
        {
            _sealed = true;
        }
    }
}
