using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// How a listener tells a refused connection why, in the protocol it speaks: <see cref="RefusalFrames.Http2"/>
/// on the gRPC socket, OpenAi.Http1Refusal on the OpenAI-compatible door's HTTP/1.1 listeners.
/// </summary>
/// <param name="Build">The bytes to send for a refusal and its reason.</param>
/// <param name="AwaitsRequest">
/// Whether the refusal waits for the caller's request and reads what follows it (<see cref="LingeringRefusals"/>),
/// because the client reads nothing until its request is written; otherwise it is sent and closed at once.
/// </param>
internal sealed record RefusalStyle(Func<ConnectionRefusal, string, byte[]> Build, bool AwaitsRequest);

/// <summary>
/// What a refused HTTP/2 connection receives before it is closed: the server's (empty) SETTINGS, which
/// HTTP/2 requires first, and a GOAWAY with ENHANCE_YOUR_CALM whose debug data names the limit, so
/// a client reports why it was turned away instead of a bare reset. Sent with one non-blocking write
/// on a fresh socket, whose buffer always has room for it.
/// </summary>
internal static class RefusalFrames
{
    /// <summary>
    /// The HTTP/2 refusal, whatever the limit: gRPC clients report the GOAWAY's reason. Sent at once, so
    /// that a flood past the limit costs the daemon one write per connection and holds nothing.
    /// </summary>
    public static readonly RefusalStyle Http2 = new((_, reason) => Build(reason), AwaitsRequest: false);

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

    /// <summary>
    /// Sends the refusal if the socket takes it at once, then closes it. Never throws. What the caller
    /// already sent is read (once, without waiting) first: closing a TCP socket with unread data sends
    /// a reset, and the caller's kernel may then drop the refusal before the caller reads it.
    /// </summary>
    public static void SendAndClose(Socket socket, byte[] frames)
    {
        try
        {
            socket.Blocking = false;
            if (socket.Available > 0)
            {
                Span<byte> discard = stackalloc byte[1024];
                for (int i = 0; i < 16 && socket.Receive(discard, SocketFlags.None, out SocketError read) > 0 && read == SocketError.Success; i++)
                {
                }
            }

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
