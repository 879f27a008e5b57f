using System.Runtime.InteropServices;

namespace Cortex.Llmd.Hosting;

/// <summary>Applies the configured mode and group to the bound socket file.</summary>
public static class SocketPermissions
{
    /// <summary>Returns null when all went well, else why the group could not be applied.</summary>
    public static string? Apply(string socketPath, UnixFileMode mode, string group, string groupFile = "/etc/group")
    {
        File.SetUnixFileMode(socketPath, mode);
        if (string.IsNullOrEmpty(group))
        {
            return null;
        }

        if (FindGroupId(group, groupFile) is not { } gid)
        {
            return $"group '{group}' does not exist";
        }

        if (NativeMethods.Chown(socketPath, -1, gid) != 0)
        {
            return $"chown failed: {Marshal.GetLastPInvokeErrorMessage()}";
        }

        return null;
    }

    public static int? FindGroupId(string group, string groupFile) =>
        new Access.GroupFile(groupFile).GidOf(group) is { } gid ? (int)gid : null;
}
