using Cortex.Llm.Wire;

namespace Cortex.Llmd.Grpc;

public sealed record GrpcServerOptions
{
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxReceiveMessageSize;
}
