using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llmd.Grpc;

/// <summary>
/// Reads the single request message of a unary or server-streaming call. Size and encoding are judged
/// from the 5-byte header, so an oversize or undecodable message is refused before it is buffered.
/// </summary>
internal static class GrpcRequestReader
{
    public static async Task<T> ReadSingleMessageAsync<T>(
        PipeReader reader, MessageParser<T> parser, string? encoding, int maxSize, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        FrameHeader? header = null;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;

            if (header is null && GrpcFrame.TryReadHeader(buffer, out FrameHeader h))
            {
                CheckHeader(h, encoding, maxSize);
                header = h;
            }

            if (header is { } frame && buffer.Length >= GrpcFrame.HeaderSize + frame.Length)
            {
                ReadOnlySequence<byte> payload = buffer.Slice(GrpcFrame.HeaderSize, frame.Length);
                T message = Parse(parser, payload, frame.IsCompressed, maxSize);
                reader.AdvanceTo(buffer.GetPosition(GrpcFrame.HeaderSize + frame.Length));
                await EnsureNoSurplusAsync(reader, cancellationToken).ConfigureAwait(false);
                return message;
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                throw buffer.Length == 0
                    ? new RpcException(GrpcStatusCode.Internal, "Request did not include a message.")
                    : new RpcException(GrpcStatusCode.Internal, "Incomplete message: the request ended inside a frame.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static void CheckHeader(FrameHeader header, string? encoding, int maxSize)
    {
        if (!header.IsValidFlag)
        {
            throw new RpcException(GrpcStatusCode.Internal, $"Invalid compressed flag {header.Flag} in message header.");
        }

        if (header.Length > (uint)maxSize)
        {
            throw new RpcException(
                GrpcStatusCode.ResourceExhausted,
                $"Received message larger than max ({header.Length} vs. {maxSize}).");
        }

        if (header.IsCompressed)
        {
            if (encoding is null or "identity")
            {
                throw new RpcException(
                    GrpcStatusCode.Internal,
                    "Request sent a compressed message without a grpc-encoding header.");
            }

            if (!IsGzip(encoding))
            {
                throw new RpcException(
                    GrpcStatusCode.Unimplemented,
                    $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {GrpcProtocol.SupportedEncodings}.");
            }
        }
    }

    internal static bool IsGzip(string? encoding) => string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase);

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, bool compressed, int maxSize)
        where T : IMessage<T>
    {
        try
        {
            return compressed ? ParseGzip(parser, payload, maxSize) : parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(GrpcStatusCode.InvalidArgument, "Request message is not valid protobuf: " + ex.Message);
        }
        catch (InvalidDataException)
        {
            throw new RpcException(GrpcStatusCode.Internal, "Request message is not valid gzip data.");
        }
    }

    private static T ParseGzip<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, int maxSize)
        where T : IMessage<T>
    {
        using var input = new ReadOnlySequenceStream(payload);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        var output = new ArrayBufferWriter<byte>();
        while (true)
        {
            Span<byte> span = output.GetSpan(16 * 1024);
            int read = gzip.Read(span);
            if (read == 0)
            {
                break;
            }

            output.Advance(read);
            if (output.WrittenCount > maxSize)
            {
                throw new RpcException(
                    GrpcStatusCode.ResourceExhausted,
                    $"Decompressed message larger than max (more than {maxSize} bytes).");
            }
        }

        return parser.ParseFrom(output.WrittenSpan);
    }

    private static async Task EnsureNoSurplusAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!result.Buffer.IsEmpty)
            {
                reader.AdvanceTo(result.Buffer.End);
                throw new RpcException(GrpcStatusCode.Internal, "Additional data after the message received.");
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
