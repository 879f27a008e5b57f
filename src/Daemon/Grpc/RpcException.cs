using Cortex.Llm.Wire;

namespace Cortex.Llmd.Grpc;

/// <summary>Thrown by handlers (or the wire layer) to end a call with a specific gRPC status.</summary>
public sealed class RpcException : Exception
{
    public RpcException(GrpcStatusCode statusCode, string detail)
        : base(detail)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    public RpcException(GrpcStatusCode statusCode, string detail, IReadOnlyList<KeyValuePair<string, byte[]>> binaryTrailers)
        : this(statusCode, detail)
    {
        BinaryTrailers = binaryTrailers;
    }

    public GrpcStatusCode StatusCode { get; }

    /// <summary>Sent to the client as grpc-message: never put secrets or stack traces here.</summary>
    public string Detail { get; }

    /// <summary>Extra "-bin" trailers, such as the attempt log of a failed completion.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> BinaryTrailers { get; } = [];
}
