using System.Buffers;
using System.Buffers.Binary;
using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llm.Client;

/// <summary>Reads length-prefixed messages from a response body.</summary>
internal static class FrameReader
{
    /// <returns>The next message, or null when the body ended cleanly at a frame boundary.</returns>
    public static async ValueTask<T?> ReadAsync<T>(Stream body, MessageParser<T> parser, int maxMessageSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        byte[] header = new byte[GrpcFrame.HeaderSize];
        int read = await body.ReadAtLeastAsync(header, GrpcFrame.HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < GrpcFrame.HeaderSize)
        {
            throw new FrameException(GrpcStatusCode.Internal, "Response ended inside a frame header.");
        }

        if (header[0] != 0)
        {
            // The client never sends grpc-accept-encoding, so a server may not compress.
            throw new FrameException(GrpcStatusCode.Internal, $"Unsupported frame flag {header[0]}: compression was not negotiated.");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > (uint)maxMessageSize)
        {
            throw new FrameException(GrpcStatusCode.ResourceExhausted, $"Received message of {length} bytes exceeds the limit of {maxMessageSize} bytes.");
        }

        return await ReadMessageAsync(body, parser, (int)length, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<T> ReadMessageAsync<T>(Stream body, MessageParser<T> parser, int length, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int read = length == 0 ? 0 : await body.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < length)
            {
                throw new FrameException(GrpcStatusCode.Internal, $"Response ended after {read} of {length} message bytes.");
            }

            try
            {
                return parser.ParseFrom(buffer.AsSpan(0, length));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new FrameException(GrpcStatusCode.Internal, "Malformed response message: " + e.Message);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
