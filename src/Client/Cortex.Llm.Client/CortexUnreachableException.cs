using Grpc.Core;

namespace Cortex.Llm.Client;

/// <summary>
/// The daemon could not be reached at all: no socket, connection refused, or no permission to connect.
/// An <see cref="RpcException"/> with status UNAVAILABLE, so code that handles any gRPC failure still catches it.
/// </summary>
public sealed class CortexUnreachableException : RpcException
{
    public CortexUnreachableException(string? socketPath, string reason, Exception? debugException = null)
        : base(new Status(StatusCode.Unavailable, Describe(socketPath, reason), debugException), Describe(socketPath, reason))
    {
        SocketPath = socketPath;
        Reason = reason;
    }

    /// <summary>The socket the client tried, or null when it was built over a caller's channel.</summary>
    public string? SocketPath { get; }

    /// <summary>Why the connect failed, e.g. "no such socket (is cortex-llmd running?)".</summary>
    public string Reason { get; }

    private static string Describe(string? socketPath, string reason) =>
        socketPath is null ? "cannot reach cortex-llmd: " + reason : $"cannot reach cortex-llmd at {socketPath}: {reason}";
}
