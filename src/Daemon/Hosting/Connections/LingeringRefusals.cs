using System.Buffers;
using System.Net.Sockets;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// Refuses a connection whose client writes its whole request before it reads anything (HTTP/1.1) in a
/// way that client can read. Answered and closed at once, the client's write of its request fails
/// (EPIPE, or a reset) and it reports a connection error, never the reason. So the refusal waits for
/// the request to start, sends the answer, shuts its own side, and reads and drops what the caller still
/// sends until the caller closes: closing with unread data would reset the connection, and the
/// caller's kernel could drop the answer before it is read. Bounded: each refusal lingers at most
/// <see cref="Linger"/>, and at most <see cref="MaxLingering"/> linger at once; beyond that a refusal
/// is sent and closed at once, so a flood past the limits holds no more than that many descriptors.
/// </summary>
internal sealed class LingeringRefusals(TimeProvider time)
{
    public const int MaxLingering = 16;
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private int _lingering;

    public int Lingering => Volatile.Read(ref _lingering);

    public void Refuse(Socket socket, byte[] answer)
    {
        if (Interlocked.Increment(ref _lingering) > MaxLingering)
        {
            Interlocked.Decrement(ref _lingering);
            RefusalFrames.SendAndClose(socket, answer);
            return;
        }

        _ = LingerAsync(socket, answer);
    }

    private async Task LingerAsync(Socket socket, byte[] answer)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        using var deadline = new CancellationTokenSource(Linger, time);
        try
        {
            // The request's first bytes, or the caller's close: either way the caller is now reading.
            await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(answer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The caller went away or took too long: closing is all that is left to do.
        }
        finally
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Decrement(ref _lingering);
        }
    }
}
