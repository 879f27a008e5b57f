using System.Globalization;
using System.Net.Sockets;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// Which of the listening sockets systemd passed (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES; fds from 3
/// on) Kestrel serves: the one named "llmd", else the first. Kestrel's own UseSystemd() would serve
/// every passed fd, so the daemon picks one and hands it to ListenHandle. systemd owns the socket file.
/// </summary>
/// <param name="FileDescriptor">The inherited fd.</param>
/// <param name="Name">Its FileDescriptorName=, when systemd passed names.</param>
public sealed record InheritedSocket(int FileDescriptor, string? Name)
{
    public const int FirstFileDescriptor = 3;
    public const string PreferredName = "llmd";
    public static readonly string[] Variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

    /// <summary>
    /// Reads the LISTEN_* variables and unsets them, as sd_listen_fds(1) does, so nothing we start
    /// inherits them. Null when they are absent or meant for another process.
    /// </summary>
    public static InheritedSocket? Take(Func<string, string?> getVariable, Action<string> unsetVariable, int processId)
    {
        string?[] values = [.. Variables.Select(getVariable)];
        foreach (string name in Variables)
        {
            unsetVariable(name);
        }

        if (!int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid != processId
            || !int.TryParse(values[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            return null;
        }

        string[] names = string.IsNullOrEmpty(values[2]) ? [] : values[2]!.Split(':');
        int index = Array.IndexOf(names, PreferredName);
        index = index >= 0 && index < count ? index : 0;
        return new InheritedSocket(FirstFileDescriptor + index, index < names.Length ? names[index] : null);
    }

    public static InheritedSocket? TakeFromProcess() =>
        Take(Environment.GetEnvironmentVariable, name => Environment.SetEnvironmentVariable(name, null), Environment.ProcessId);

    /// <summary>The path the socket is bound to, when it is a named Unix socket (the watchdog probes through it); else null.</summary>
    public string? LocalPath()
    {
        try
        {
            using var socket = new Socket(new SafeSocketHandle(FileDescriptor, ownsHandle: false));
            return socket.LocalEndPoint is UnixDomainSocketEndPoint unix && unix.ToString() is { Length: > 0 } path && path[0] != '\0'
                ? path
                : null;
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>How logs and STATUS= name where we serve.</summary>
    public string Describe() =>
        (LocalPath() ?? "inherited socket") + " (fd " + FileDescriptor.ToString(CultureInfo.InvariantCulture) + " from systemd)";
}
