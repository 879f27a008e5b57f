using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;

namespace Cortex.Llmd.Callers;

/// <summary>
/// Reads SO_PEERCRED from a connected Unix socket. The kernel fills it at connect time, so it cannot be
/// forged by the caller; /proc is read once per connection, never per request.
/// </summary>
public static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static CallerInfo Read(Socket socket)
    {
        if (ReadUcred(socket) is not var (pid, uid, gid))
        {
            return CallerInfo.Unknown;
        }

        return new CallerInfo(uid, gid, pid, ReadComm(pid), ReadUnit(pid)) { Groups = PeerGroups.Read(socket) };
    }

    /// <summary>Only the peer's uid, without touching /proc: cheap enough for every accepted connection.</summary>
    public static uint? ReadUid(Socket socket) => ReadUcred(socket)?.Uid;

    private static (uint Pid, uint Uid, uint Gid)? ReadUcred(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix || !OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < 12)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }

        return (BinaryPrimitives.ReadUInt32LittleEndian(ucred), BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]), BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }

    private static string ReadComm(uint pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>The systemd unit from the process's cgroup path, e.g. ".../apt-daily.service".</summary>
    internal static string ReadUnit(uint pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup"))
            {
                if (UnitFromCgroupLine(line) is { } unit)
                {
                    return unit;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return string.Empty;
    }

    internal static string? UnitFromCgroupLine(string line)
    {
        int colon = line.LastIndexOf(':');
        string path = colon >= 0 ? line[(colon + 1)..] : line;
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i].EndsWith(".service", StringComparison.Ordinal) || parts[i].EndsWith(".scope", StringComparison.Ordinal))
            {
                return parts[i];
            }
        }

        return null;
    }
}
