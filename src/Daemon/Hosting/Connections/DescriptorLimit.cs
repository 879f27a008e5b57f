using System.Runtime.InteropServices;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>RLIMIT_NOFILE: read it, and raise the soft limit towards the hard one.</summary>
internal interface IDescriptorLimit
{
    /// <summary>(soft, hard), or null where it cannot be read.</summary>
    (ulong Soft, ulong Hard)? Read();

    /// <summary>Sets the soft limit; false when the kernel or a seccomp filter refuses.</summary>
    bool TrySetSoft(ulong soft, ulong hard);

    /// <summary>Descriptors the process holds now (a JIT build keeps each loaded assembly open).</summary>
    int OpenNow();
}

internal sealed partial class ProcessDescriptorLimit : IDescriptorLimit
{
    private const int RlimitNofile = 7;

    public (ulong Soft, ulong Hard)? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var limit = default(RLimit);
        return GetRLimit(RlimitNofile, ref limit) == 0 ? (limit.Current, limit.Maximum) : null;
    }

    public bool TrySetSoft(ulong soft, ulong hard)
    {
        var limit = new RLimit { Current = soft, Maximum = hard };
        return OperatingSystem.IsLinux() && SetRLimit(RlimitNofile, ref limit) == 0;
    }

    public int OpenNow()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, ref RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, ref RLimit limit);
}

/// <summary>
/// Makes server.maxConnections fit the descriptors the process may open. Each connection holds one
/// descriptor; the rest of the daemon needs what it holds at start (the runtime, the ledger and its
/// WAL, and with a JIT build every loaded assembly) plus Headroom for what it opens later (provider
/// connections, reads of /proc for caller identity, assemblies loaded late). If the soft limit
/// is too low it is raised towards the hard limit; if even that is too low, the connection limit is
/// lowered to fit and the caller is told why (logged once at start).
/// </summary>
internal static class DescriptorBudget
{
    public const int Headroom = 64;

    /// <summary>The connection limit to use, and a warning when it had to be lowered.</summary>
    public static (int MaxConnections, string? Warning) Fit(int maxConnections, IDescriptorLimit limit)
    {
        if (limit.Read() is not var (soft, hard))
        {
            return (maxConnections, null);
        }

        int reserve = limit.OpenNow() + Headroom;
        ulong needed = (ulong)maxConnections + (ulong)reserve;
        if (soft >= needed)
        {
            return (maxConnections, null);
        }

        ulong wanted = Math.Min(needed, hard);
        if (wanted > soft && limit.TrySetSoft(wanted, hard))
        {
            soft = wanted;
        }

        if (soft >= needed)
        {
            return (maxConnections, null);
        }

        int fitted = (int)Math.Clamp((long)soft - reserve, 1, maxConnections);
        return (fitted, $"server.maxConnections lowered from {maxConnections} to {fitted}: the descriptor limit (RLIMIT_NOFILE) is {soft} (hard {hard}) and {reserve} descriptors are kept for the daemon itself; raise LimitNOFILE= or ulimit -n");
    }
}
