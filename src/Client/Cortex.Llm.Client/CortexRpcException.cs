using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llm.Client;

/// <summary>A call that ended with a gRPC status other than OK, whether the daemon or this client decided it.</summary>
public class CortexRpcException : Exception
{
    /// <summary>The binary trailer in which the daemon reports what it tried before failing.</summary>
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    public CortexRpcException(GrpcStatusCode statusCode, string detail, Metadata? metadata = null, Exception? innerException = null)
        : base(FormatMessage(statusCode, detail), innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
        Metadata = metadata ?? new Metadata();
        Attempts = ParseAttempts(Metadata);
    }

    public CortexRpcException()
        : this(GrpcStatusCode.Unknown, string.Empty)
    {
    }

    public CortexRpcException(string message)
        : this(GrpcStatusCode.Unknown, message)
    {
    }

    public CortexRpcException(string message, Exception innerException)
        : this(GrpcStatusCode.Unknown, message, null, innerException)
    {
    }

    public GrpcStatusCode StatusCode { get; }

    /// <summary>The decoded grpc-message, or a description of the local failure.</summary>
    public string Detail { get; }

    /// <summary>Response headers and trailers, -bin values decoded.</summary>
    public Metadata Metadata { get; }

    /// <summary>What the daemon tried before failing, when it said so.</summary>
    public AttemptLog? Attempts { get; }

    private static string FormatMessage(GrpcStatusCode code, string detail) =>
        detail.Length == 0 ? code.ToWireName() : code.ToWireName() + ": " + detail;

    private static AttemptLog? ParseAttempts(Metadata metadata)
    {
        byte[]? bytes = metadata.GetBytes(AttemptsTrailer);
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
}

/// <summary>The daemon could not be reached at all: no socket, connection refused, or no permission to connect.</summary>
public sealed class CortexUnreachableException : CortexRpcException
{
    public CortexUnreachableException(string? socketPath, string reason, Exception? innerException = null)
        : base(GrpcStatusCode.Unavailable, reason, null, innerException)
    {
        SocketPath = socketPath;
    }

    public CortexUnreachableException()
        : this(null, string.Empty)
    {
    }

    public CortexUnreachableException(string message)
        : this(null, message)
    {
    }

    public CortexUnreachableException(string message, Exception innerException)
        : this(null, message, innerException)
    {
    }

    /// <summary>The socket the client tried, or null when it was built over a custom handler.</summary>
    public string? SocketPath { get; }
}
