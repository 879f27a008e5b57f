using System.Buffers.Binary;
using System.Net.Sockets;

namespace Cortex.Llmd.Callers;

/// <summary>
/// Reads SO_PEERGROUPS (Linux 4.13+): the supplementary groups the peer held when it connected, recorded
/// by the kernel with SO_PEERCRED. Chosen over the alternatives because it is the peer's real, current
/// credential and cannot race or be forged:
/// /proc/PID/status "Groups:" is read later, after the pid may have exited and been reused by another
/// user's process, and hidepid or ProtectProc= can hide it; getgrouplist() reports the group database,
/// not the process, so a process that dropped its groups would still count as a member, and an NSS
/// lookup can block on a directory service.
/// </summary>
public static class PeerGroups
{
    private const int SolSocket = 1;
    private const int SoPeerGroups = 59;
    private const int CommonCount = 64;
    private const int MaxCount = 65536; // NGROUPS_MAX

    /// <summary>The groups, or none when the kernel cannot say (then only uid rules can make an admin).</summary>
    public static IReadOnlyList<uint> Read(Socket socket)
    {
        // The kernel answers ERANGE when the buffer is short; most callers have a handful of groups.
        return TryRead(socket, CommonCount, out bool tooShort) ?? (tooShort ? TryRead(socket, MaxCount, out _) : null) ?? [];
    }

    private static uint[]? TryRead(Socket socket, int count, out bool tooShort)
    {
        byte[] buffer = new byte[count * sizeof(uint)];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
        }
        catch (SocketException ex)
        {
            // An old kernel lacks the option (ENOPROTOOPT): asking again with a larger buffer cannot help.
            tooShort = ex.SocketErrorCode != SocketError.ProtocolOption;
            return null;
        }

        tooShort = false;

        return Parse(buffer.AsSpan(0, length));
    }

    internal static uint[] Parse(ReadOnlySpan<byte> raw)
    {
        uint[] groups = new uint[raw.Length / sizeof(uint)];
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = BinaryPrimitives.ReadUInt32LittleEndian(raw[(i * sizeof(uint))..]);
        }

        return groups;
    }
}
