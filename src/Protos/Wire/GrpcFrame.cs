using System.Buffers;
using System.Buffers.Binary;

namespace Cortex.Llm.Wire;

/// <summary>The 5-byte length-prefixed message framing: a compressed flag, then a big-endian length.</summary>
public static class GrpcFrame
{
    public const int HeaderSize = 5;

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Reads a frame header from the start of <paramref name="buffer"/> when 5 bytes are there.</summary>
    /// <returns>False when fewer than 5 bytes are buffered.</returns>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header)
    {
        if (buffer.Length < HeaderSize)
        {
            header = default;
            return false;
        }

        Span<byte> bytes = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(bytes);
        header = new FrameHeader(bytes[0], BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]));
        return true;
    }
}

/// <summary>A decoded frame header. The flag is kept raw: values other than 0 and 1 are a protocol error.</summary>
public readonly record struct FrameHeader(byte Flag, uint Length)
{
    public bool IsCompressed => Flag == 1;

    public bool IsValidFlag => Flag <= 1;
}
