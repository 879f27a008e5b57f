using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cortex.Llmd.Callers;

/// <summary>
/// Finds who is on the other end of a loopback TCP connection. TCP has no SO_PEERCRED, but the peer's
/// own socket is on this host, in the kernel's table (/proc/net/tcp and tcp6) with its owner's uid:
/// the row whose local address is the caller's end and whose remote address is ours. The kernel
/// writes that table, so the caller cannot forge it. Read once, when a connection is accepted: the
/// connection limiter keys its count by the uid and leaves the result on the connection for
/// <see cref="CallerIdentity"/>, so the table is never read per request or twice per connection.
/// The uid is all it gives: the process is not looked up (that would scan every process's fds).
/// </summary>
public static class LoopbackPeers
{
    private const string Tcp4Table = "/proc/net/tcp";
    private const string Tcp6Table = "/proc/net/tcp6";

    public static CallerInfo Read(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint is IPEndPoint remote && socket.LocalEndPoint is IPEndPoint local
                ? Find(remote, local, [Tcp4Table, Tcp6Table])
                : CallerInfo.Unknown;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return CallerInfo.Unknown;
        }
    }

    /// <param name="caller">The caller's end of the connection (our remote endpoint).</param>
    /// <param name="daemon">Our end (our local endpoint).</param>
    /// <param name="tables">The kernel's socket tables to look in.</param>
    internal static CallerInfo Find(IPEndPoint caller, IPEndPoint daemon, IEnumerable<string> tables)
    {
        if (!IPAddress.IsLoopback(Unmapped(caller.Address)))
        {
            return CallerInfo.Unknown;
        }

        foreach (string table in tables)
        {
            if (FindUid(table, caller, daemon) is { } uid)
            {
                return new CallerInfo(uid, null, null, string.Empty, string.Empty);
            }
        }

        return CallerInfo.Unknown;
    }

    private static uint? FindUid(string table, IPEndPoint caller, IPEndPoint daemon)
    {
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(table);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        bool six = table.EndsWith('6');
        string callerText = Format(caller, six);
        string daemonText = Format(daemon, six);
        try
        {
            foreach (string line in lines)
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 7 && fields[1] == callerText && fields[2] == daemonText
                    && uint.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
                {
                    return uid;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// An endpoint as the table prints it: the address as 32-bit words in host byte order, in hex, then
    /// the port in hex. IPv4 addresses appear in tcp6 as IPv4-mapped IPv6 when a dual-stack socket holds them.
    /// </summary>
    internal static string Format(IPEndPoint endpoint, bool six)
    {
        IPAddress address = six ? (endpoint.Address.AddressFamily == AddressFamily.InterNetwork ? endpoint.Address.MapToIPv6() : endpoint.Address) : Unmapped(endpoint.Address);
        byte[] bytes = address.GetAddressBytes();
        var text = new System.Text.StringBuilder((bytes.Length * 2) + 5);
        for (int word = 0; word < bytes.Length; word += 4)
        {
            uint value = BitConverter.ToUInt32(bytes, word);
            text.Append(value.ToString("X8", CultureInfo.InvariantCulture));
        }

        return text.Append(':').Append(endpoint.Port.ToString("X4", CultureInfo.InvariantCulture)).ToString();
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
