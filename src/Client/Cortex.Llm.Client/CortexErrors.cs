using System.Net.Sockets;
using Cortex.Llm.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cortex.Llm.Client;

/// <summary>What cortex-llmd adds to a gRPC error: the attempt log, and a clear word when there is no daemon at all.</summary>
public static class CortexErrors
{
    /// <summary>The binary trailer in which the daemon reports what it tried before failing.</summary>
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    /// <summary>The trailer in which the daemon says, in whole milliseconds, when a rate-limited caller may call again.</summary>
    public const string RetryAfterTrailer = "retry-after-ms";

    /// <summary>When the daemon said to try again (its per-caller rate limit); null when it did not say.</summary>
    public static TimeSpan? GetRetryAfter(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string? text = exception.Trailers.GetValue(RetryAfterTrailer);
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;
    }

    /// <summary>What the daemon tried before failing, when it said so; null when absent or garbled.</summary>
    public static AttemptLog? GetAttemptLog(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        byte[]? bytes = exception.Trailers.GetValueBytes(AttemptsTrailer);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return AttemptLog.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            // A garbled log must not hide the status it came with.
            return null;
        }
    }

    /// <summary>
    /// Grpc.Net.Client reports a failed connect as UNAVAILABLE with the socket error buried in its debug
    /// exception; the caller needs to know that no daemon answered at that path, and why.
    /// </summary>
    internal static RpcException Translate(RpcException exception, string? socketPath)
    {
        if (exception.StatusCode != StatusCode.Unavailable || FindConnectFailure(exception.Status.DebugException) is not { } failure)
        {
            return exception;
        }

        return new CortexUnreachableException(socketPath, ConnectFailureReason(failure, socketPath), exception.Status.DebugException);
    }

    private static HttpRequestException? FindConnectFailure(Exception? exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } http)
            {
                return http;
            }
        }

        return null;
    }

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
