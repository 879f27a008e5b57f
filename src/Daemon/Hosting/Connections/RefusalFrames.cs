using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// What a refused connection receives before it is closed: the server's (empty) SETTINGS, which
/// HTTP/2 requires first, and a GOAWAY with ENHANCE_YOUR_CALM whose debug data names the limit, so
/// a client reports why it was turned away instead of a bare reset. Sent with one non-blocking write
/// on a fresh socket, whose buffer always has room for it; nothing is read.
/// </summary>
internal static class RefusalFrames
{
    private const byte SettingsType = 0x4;
    private const byte GoAwayType = 0x7;
    private const uint EnhanceYourCalm = 0xb;

    public static byte[] Build(string reason)
    {
        byte[] debug = Encoding.ASCII.GetBytes(reason);
        byte[] frames = new byte[9 + 9 + 8 + debug.Length];
        WriteHeader(frames, 0, SettingsType);
        WriteHeader(frames.AsSpan(9), 8 + debug.Length, GoAwayType);
        BinaryPrimitives.WriteUInt32BigEndian(frames.AsSpan(18), 0); // last stream id: none was processed
        BinaryPrimitives.WriteUInt32BigEndian(frames.AsSpan(22), EnhanceYourCalm);
        debug.CopyTo(frames, 26);
        return frames;
    }

    /// <summary>Sends the frames if the socket takes them at once, then closes it. Never throws.</summary>
    public static void SendAndClose(Socket socket, byte[] frames)
    {
        try
        {
            socket.Blocking = false;
            socket.Send(frames, SocketFlags.None, out _);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The caller already went away: closing is all that is left to do.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static void WriteHeader(Span<byte> frame, int length, byte type)
    {
        frame[0] = (byte)(length >> 16);
        frame[1] = (byte)(length >> 8);
        frame[2] = (byte)length;
        frame[3] = type;
        frame[4] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame[5..], 0);
    }
}
