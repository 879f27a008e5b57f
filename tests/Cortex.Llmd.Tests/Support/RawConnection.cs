using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Tests.Support;

/// <summary>One HTTP/2 frame as read off the wire.</summary>
public sealed record RawFrame(byte Type, byte[] Payload)
{
    public const byte Settings = 0x4;
    public const byte GoAway = 0x7;

    /// <summary>A GOAWAY's debug data (after last-stream-id and error code).</summary>
    public string GoAwayReason => Type == GoAway && Payload.Length > 8 ? Encoding.ASCII.GetString(Payload, 8, Payload.Length - 8) : string.Empty;
}

/// <summary>A bare Unix socket connection to the daemon, for tests that count connections and read raw frames.</summary>
public static class RawConnection
{
    public static readonly byte[] Preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 4, 0, 0, 0, 0, 0];

    public static async Task<Socket> OpenAsync(string socketPath, bool sendPreface)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        if (sendPreface)
        {
            await socket.SendAsync(Preface);
        }

        return socket;
    }

    /// <summary>Frames until the server closes, count frames arrived, or the timeout passes.</summary>
    public static async Task<List<RawFrame>> ReadFramesAsync(Socket socket, int count, TimeSpan timeout)
    {
        var frames = new List<RawFrame>();
        using var cts = new CancellationTokenSource(timeout);
        byte[] header = new byte[9];
        try
        {
            while (frames.Count < count && await ReadExactlyAsync(socket, header, cts.Token))
            {
                byte[] payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
                if (!await ReadExactlyAsync(socket, payload, cts.Token))
                {
                    break;
                }

                frames.Add(new RawFrame(header[3], payload));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }

        return frames;
    }

    /// <summary>True when the server closed the connection (EOF or reset) within the timeout.</summary>
    public static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        byte[] buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), token);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
