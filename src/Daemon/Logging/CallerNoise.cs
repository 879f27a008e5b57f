using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Logging;

/// <summary>
/// Recognises the library log lines a caller can trigger at will (a reset stream, a request body that
/// does not parse, an HTTP/2 flood Kestrel cuts off) and turns them into what they are: the caller's
/// doing, worth a debug line or one warning, never a stack trace at error or critical level.
/// Lines about the daemon's own faults keep their level and stack trace.
/// </summary>
public sealed class CallerNoise
{
    private const string GrpcCallHandler = "Grpc.AspNetCore.Server.ServerCallHandler";
    private const string KestrelHttp2 = "Microsoft.AspNetCore.Server.Kestrel.Http2";

    // grpc-dotnet's ServerCallHandler events, as it numbers them.
    private const int ErrorExecutingServiceMethod = 6;
    private const int RpcConnectionError = 7;
    private const int ErrorReadingMessage = 14;
    private const int ServiceMethodCanceled = 28;

    // Kestrel's "exceeded the output operations maximum queue size" (its answer to a PING, SETTINGS or
    // reset flood) and "application never completed" (a peer that stopped reading), both logged at
    // critical, once per queued operation, although the connection is simply closed.
    private const string Kestrel = "Microsoft.AspNetCore.Server.Kestrel";
    private const int ApplicationNeverCompleted = 23;
    private const int Http2QueueOperationsExceeded = 60;

    // Connections already warned about; cleared when full, which at worst repeats one warning.
    private const int WarnedConnectionsCap = 1024;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _warnedConnections = new(StringComparer.Ordinal);

    // grpc-dotnet logs a failed read, then the same exception again as "error executing the service
    // method". Remembering the instance (weakly) tells the second line apart from a handler's own bug.
    private readonly ConditionalWeakTable<Exception, object> _readFailures = [];

    public readonly record struct Verdict(LogLevel Level, bool KeepException);

    public Verdict Classify<TState>(string category, EventId eventId, LogLevel level, TState state, Exception? exception)
    {
        if (!IsLibrary(category))
        {
            return new Verdict(level, KeepException: true);
        }

        if (category == GrpcCallHandler)
        {
            switch (eventId.Id)
            {
                case ErrorReadingMessage:
                    if (exception is not null)
                    {
                        _readFailures.AddOrUpdate(exception, this);
                    }

                    return new Verdict(LogLevel.Debug, KeepException: false);
                case ServiceMethodCanceled:
                    return new Verdict(LogLevel.Debug, KeepException: false);
                case RpcConnectionError:
                    // "Error status code X raised": a status the daemon chose and logged itself (once
                    // per caller where a caller can repeat it); the library's echo of it is debug only.
                    return new Verdict(LogLevel.Debug, KeepException: false);
                case ErrorExecutingServiceMethod when exception is not null && _readFailures.TryGetValue(exception, out _):
                    return new Verdict(LogLevel.Debug, KeepException: false);
            }
        }

        if ((category == KestrelHttp2 && eventId.Id == Http2QueueOperationsExceeded) || (category == Kestrel && eventId.Id == ApplicationNeverCompleted))
        {
            return new Verdict(FirstForConnection(state) ? LogLevel.Warning : LogLevel.Debug, KeepException: false);
        }

        return IsCallerCaused(exception) ? new Verdict(LogLevel.Debug, KeepException: false) : new Verdict(level, KeepException: true);
    }

    private bool FirstForConnection<TState>(TState state)
    {
        string? connection = null;
        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            foreach (KeyValuePair<string, object?> field in fields)
            {
                if (string.Equals(field.Key, "connectionId", StringComparison.OrdinalIgnoreCase))
                {
                    connection = field.Value as string;
                }
            }
        }

        if (connection is null)
        {
            return true;
        }

        if (_warnedConnections.Count >= WarnedConnectionsCap)
        {
            _warnedConnections.Clear();
        }

        return _warnedConnections.TryAdd(connection, 0);
    }

    private static bool IsLibrary(string category) =>
        category.StartsWith("Grpc.", StringComparison.Ordinal) || category.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal);

    /// <summary>Failures only the peer causes: it went away, reset, or sent bytes that are not a message.</summary>
    private static bool IsCallerCaused(Exception? exception) => exception is
        IOException or // includes InvalidProtocolBufferException and Kestrel's ConnectionResetException
        OperationCanceledException or // includes ConnectionAbortedException
        Microsoft.AspNetCore.Http.BadHttpRequestException or
        ConnectionResetException;
}
