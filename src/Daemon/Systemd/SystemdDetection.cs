using System.Globalization;

namespace Cortex.Llmd.Systemd;

/// <summary>What detection looks at, injectable so tests need no real systemd.</summary>
/// <param name="GetVariable">Reads an environment variable; null when unset.</param>
/// <param name="ProcessId">Our pid.</param>
/// <param name="ParentProcessId">Our parent's pid.</param>
/// <param name="ReadFile">Reads a file such as /proc/&lt;ppid&gt;/comm; null when it cannot be read.</param>
public sealed record SystemdProcessInfo(Func<string, string?> GetVariable, int ProcessId, int ParentProcessId, Func<string, string?> ReadFile)
{
    public static SystemdProcessInfo Current { get; } = new(
        Environment.GetEnvironmentVariable,
        Environment.ProcessId,
        SystemdNative.GetParentProcessId(),
        path =>
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        });
}

/// <summary>
/// Whether this process runs as a systemd service, in the order dotnet/runtime's
/// SystemdHelpers uses: SYSTEMD_EXEC_PID equal to our pid; else we are PID 1 with NOTIFY_SOCKET or
/// LISTEN_PID (a container whose init is us); else our parent's comm is "systemd".
/// </summary>
public static class SystemdDetection
{
    public static bool IsSystemdService(SystemdProcessInfo process)
    {
        if (process.GetVariable("SYSTEMD_EXEC_PID") is { } execPid
            && int.TryParse(execPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            && pid == process.ProcessId)
        {
            return true;
        }

        if (process.ProcessId == 1)
        {
            return process.GetVariable("NOTIFY_SOCKET") is not null || process.GetVariable("LISTEN_PID") is not null;
        }

        string? comm = process.ReadFile("/proc/" + process.ParentProcessId.ToString(CultureInfo.InvariantCulture) + "/comm");
        return comm is not null && comm.TrimEnd('\n') == "systemd";
    }

    /// <summary>Journald line format when systemd runs us, or when stderr is already a journal stream.</summary>
    public static bool UseJournaldFormat(SystemdProcessInfo process) =>
        IsSystemdService(process) || !string.IsNullOrEmpty(process.GetVariable("JOURNAL_STREAM"));
}
