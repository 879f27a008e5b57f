using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Tests.Support;

/// <summary>A real Unix datagram socket standing in for systemd's NOTIFY_SOCKET: a path, or an abstract "@name".</summary>
public sealed class DatagramListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public DatagramListener(string address)
    {
        Address = address;
        _socket.Bind(new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address));
    }

    /// <summary>What NOTIFY_SOCKET is set to.</summary>
    public string Address { get; }

    /// <summary>Next datagram as text; throws TimeoutException when none arrives in time.</summary>
    public async Task<string> ReceiveAsync(TimeSpan timeout)
    {
        byte[] buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            int length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no datagram on {Address} within {timeout}");
        }
    }

    /// <summary>Receives until a datagram matches; returns it, with everything seen before it.</summary>
    public async Task<(string Match, List<string> Before)> ReceiveUntilAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var before = new List<string>();
        DateTime end = DateTime.UtcNow + timeout;
        while (true)
        {
            TimeSpan left = end - DateTime.UtcNow;
            string message = await ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (match(message))
            {
                return (message, before);
            }

            before.Add(message);
        }
    }

    public void Dispose() => _socket.Dispose();
}
