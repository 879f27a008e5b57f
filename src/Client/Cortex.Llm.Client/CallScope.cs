using System.Net.Http;
using System.Net.Sockets;
using Cortex.Llm.Wire;

namespace Cortex.Llm.Client;

/// <summary>
/// The cancellation of one call: the caller's tokens and the local deadline feed one token, and when that
/// token fires this scope remembers which of them did, so the call ends with CANCELLED or DEADLINE_EXCEEDED
/// rather than with whatever exception the transport happened to throw.
/// </summary>
internal sealed class CallScope : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _callerToken;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private readonly List<CancellationToken> _linkedTokens = [];

    public CallScope(CallOptions options)
    {
        _callerToken = options.CancellationToken;
        _source = CancellationTokenSource.CreateLinkedTokenSource(_callerToken);
        if (options.Timeout is { } timeout)
        {
            Timeout = timeout < GrpcTimeout.Maximum ? timeout : GrpcTimeout.Maximum;
            _source.CancelAfter(Timeout.Value < TimeSpan.Zero ? TimeSpan.Zero : Timeout.Value);
        }
    }

    public TimeSpan? Timeout { get; }

    public CancellationToken Token => _source.Token;

    private bool CallerCancelled => _callerToken.IsCancellationRequested || _linkedTokens.Exists(t => t.IsCancellationRequested);

    /// <summary>Adds a token an async enumeration was given, which may arrive after the call has started.</summary>
    public void LinkCaller(CancellationToken token)
    {
        if (!token.CanBeCanceled)
        {
            return;
        }

        _linkedTokens.Add(token);
        _registrations.Add(token.Register(static state => ((CancellationTokenSource)state!).Cancel(), _source));
    }

    /// <summary>Turns any failure of the transport into the status the caller should see.</summary>
    public CortexRpcException Translate(Exception exception, Metadata metadata, string? socketPath)
    {
        if (exception is CortexRpcException rpc)
        {
            return rpc;
        }

        if (_source.IsCancellationRequested)
        {
            return CallerCancelled
                ? new CortexRpcException(GrpcStatusCode.Cancelled, "Call cancelled by the caller.", metadata, exception)
                : new CortexRpcException(GrpcStatusCode.DeadlineExceeded, DeadlineDetail(), metadata, exception);
        }

        return exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } http =>
                new CortexUnreachableException(socketPath, ConnectFailureReason(http, socketPath), http),
            HttpProtocolException protocol =>
                new CortexRpcException(StatusMapping.FromHttp2Error(protocol.ErrorCode), "HTTP/2 stream reset: " + protocol.Message, metadata, protocol),
            FrameException frame => new CortexRpcException(frame.StatusCode, frame.Message, metadata, frame),
            HttpRequestException or IOException => new CortexRpcException(GrpcStatusCode.Unavailable, "Connection lost: " + exception.Message, metadata, exception),
            _ => new CortexRpcException(GrpcStatusCode.Internal, exception.GetType().Name + ": " + exception.Message, metadata, exception),
        };
    }

    public void Dispose()
    {
        foreach (CancellationTokenRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private string DeadlineDetail() =>
        "Deadline of " + (Timeout ?? TimeSpan.Zero).TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)
            + " ms exceeded.";

    // The socket error says why (no such file, refused, permission denied); HttpClient's own text does not.
    private static string ConnectFailureReason(HttpRequestException exception, string? socketPath)
    {
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    // Linux reports a missing socket file as ENOENT, which .NET names "address not available".
                    SocketError.AddressNotAvailable when socketPath is not null && !File.Exists(socketPath) =>
                        "no such socket (is cortex-llmd running?)",
                    SocketError.ConnectionRefused => "connection refused (is cortex-llmd running?)",
                    SocketError.AccessDenied => "permission denied",
                    _ => socket.Message,
                };
            }
        }

        return exception.Message;
    }
}

/// <summary>A framing fault found in the response body.</summary>
internal sealed class FrameException : Exception
{
    public FrameException(GrpcStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public FrameException()
    {
    }

    public FrameException(string message)
        : base(message)
    {
    }

    public FrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GrpcStatusCode StatusCode { get; } = GrpcStatusCode.Internal;
}
