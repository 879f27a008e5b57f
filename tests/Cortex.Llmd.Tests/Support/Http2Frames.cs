using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Tests.Support;

/// <summary>
/// Raw HTTP/2 frames, for feeding the daemon what no HTTP/2 client library would send: floods, oversize
/// header blocks, window overflows. Header blocks use HPACK literals only (no table, no Huffman).
/// </summary>
public static class Http2Frames
{
    public const byte Data = 0;
    public const byte Headers = 1;
    public const byte RstStream = 3;
    public const byte Settings = 4;
    public const byte Ping = 6;
    public const byte WindowUpdate = 8;
    public const byte Continuation = 9;

    public const byte EndStream = 0x1;
    public const byte EndHeaders = 0x4;

    public static byte[] Preface { get; } = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId & int.MaxValue);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] UInt32Payload(uint value)
    {
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        return payload;
    }

    /// <summary>A gRPC POST's header block for <paramref name="path"/>.</summary>
    public static byte[] RequestHeaderBlock(string path, params (string Name, string Value)[] extra)
    {
        var block = new List<byte>();
        foreach ((string name, string value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers") }.Concat(extra))
        {
            block.AddRange(Literal(name, value));
        }

        return [.. block];
    }

    /// <summary>HPACK "literal header field without indexing, new name" (RFC 7541, 6.2.2).</summary>
    public static byte[] Literal(string name, string value)
    {
        var bytes = new List<byte> { 0 };
        AddString(bytes, Encoding.ASCII.GetBytes(name));
        AddString(bytes, Encoding.ASCII.GetBytes(value));
        return [.. bytes];
    }

    /// <summary>Connects and sends the client preface and an empty SETTINGS frame.</summary>
    public static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(Preface.Concat(Frame(Settings, 0, 0, [])).ToArray());
        return socket;
    }

    private static void AddString(List<byte> bytes, byte[] text)
    {
        // A 7-bit prefix integer (RFC 7541, 5.1) with the Huffman bit clear.
        int length = text.Length;
        if (length < 127)
        {
            bytes.Add((byte)length);
        }
        else
        {
            bytes.Add(127);
            length -= 127;
            while (length >= 128)
            {
                bytes.Add((byte)((length % 128) + 128));
                length /= 128;
            }

            bytes.Add((byte)length);
        }

        bytes.AddRange(text);
    }
}
