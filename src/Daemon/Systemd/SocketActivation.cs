using System.Globalization;
using System.Net.Sockets;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// A listening socket inherited from systemd (LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES, fds from 3 on).
/// When present the daemon serves on it and leaves the socket file alone: systemd owns it.
/// </summary>
/// <param name="FileDescriptor">The inherited fd.</param>
/// <param name="Name">Its FileDescriptorName=, when systemd passed names.</param>
public sealed record SocketActivation(int FileDescriptor, string? Name)
{
    public const int FirstFileDescriptor = 3;
    public const string PreferredName = "llmd";
    public static readonly string[] Variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

    /// <summary>
    /// Reads the LISTEN_* variables and unsets them, as sd_listen_fds(1) does, so nothing we start
    /// inherits them. Returns null when they are absent or meant for another process.
    /// </summary>
    public static SocketActivation? Take(Func<string, string?> getVariable, Action<string> unsetVariable, int processId)
    {
        string? pidText = getVariable("LISTEN_PID");
        string? countText = getVariable("LISTEN_FDS");
        string? namesText = getVariable("LISTEN_FDNAMES");
        foreach (string name in Variables)
        {
            unsetVariable(name);
        }

        if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid != processId
            || !int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            return null;
        }

        string[] names = string.IsNullOrEmpty(namesText) ? [] : namesText.Split(':');
        int index = Array.IndexOf(names, PreferredName);
        if (index < 0 || index >= count)
        {
            index = 0;
        }

        return new SocketActivation(FirstFileDescriptor + index, index < names.Length ? names[index] : null);
    }

    public static SocketActivation? TakeFromProcess() =>
        Take(Environment.GetEnvironmentVariable, name => Environment.SetEnvironmentVariable(name, null), Environment.ProcessId);

    /// <summary>The path the inherited socket is bound to, when it is a named Unix socket; else null.</summary>
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

    /// <summary>How logs and STATUS name where we serve.</summary>
    public string Describe() =>
        (LocalPath() ?? "inherited socket") + " (fd " + FileDescriptor.ToString(CultureInfo.InvariantCulture) + " from systemd)";
}
