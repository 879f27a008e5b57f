using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llm.Client;

/// <summary>A request body of exactly one uncompressed gRPC message frame.</summary>
internal sealed class ProtobufContent : HttpContent
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);

    private readonly IMessage _message;
    private readonly int _messageSize;

    public ProtobufContent(IMessage message)
    {
        _message = message;
        _messageSize = message.CalculateSize();
        Headers.ContentType = GrpcContentType;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        int total = GrpcFrame.HeaderSize + _messageSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            GrpcFrame.WriteHeader(buffer, compressed: false, _messageSize);
            _message.WriteTo(buffer.AsSpan(GrpcFrame.HeaderSize, _messageSize));
            await stream.WriteAsync(buffer.AsMemory(0, total), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = GrpcFrame.HeaderSize + _messageSize;
        return true;
    }
}
