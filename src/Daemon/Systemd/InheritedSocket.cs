using System.Globalization;
using System.Net.Sockets;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// Which of the listening sockets systemd passed (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES; fds from 3
/// on) Kestrel serves: the one named "llmd", else the first, for gRPC, and the one named
/// "llmd-openai" for the OpenAI-compatible door. Kestrel's own UseSystemd() would serve every passed fd
/// with one protocol set, so the daemon picks them and hands each to ListenHandle. systemd owns the files.
/// </summary>
/// <param name="FileDescriptor">The inherited fd.</param>
/// <param name="Name">Its FileDescriptorName=, when systemd passed names.</param>
public sealed record InheritedSocket(int FileDescriptor, string? Name)
{
    public const int FirstFileDescriptor = 3;
    public const string PreferredName = "llmd";
    public static readonly string[] Variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

    /// <summary>The FileDescriptorName= of the OpenAI-compatible door's socket (cortex-llmd-openai.socket).</summary>
    public const string OpenAiName = "llmd-openai";

    /// <summary>
    /// Reads the LISTEN_* variables and unsets them, as sd_listen_fds(1) does, so nothing we start
    /// inherits them. Null when they are absent or meant for another process.
    /// </summary>
    public static InheritedSocket? Take(Func<string, string?> getVariable, Action<string> unsetVariable, int processId) =>
        TakeBoth(getVariable, unsetVariable, processId).Grpc;

    /// <summary>
    /// Both doors' sockets: the gRPC one (named "llmd", else the first not named for the OpenAI door)
    /// and the OpenAI-compatible door's, passed only when it is named "llmd-openai".
    /// </summary>
    public static (InheritedSocket? Grpc, InheritedSocket? OpenAi) TakeBoth(Func<string, string?> getVariable, Action<string> unsetVariable, int processId)
    {
        string?[] values = [.. Variables.Select(getVariable)];
        foreach (string name in Variables)
        {
            unsetVariable(name);
        }

        if (!int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid != processId
            || !int.TryParse(values[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            return (null, null);
        }

        string[] names = string.IsNullOrEmpty(values[2]) ? [] : values[2]!.Split(':');
        int openAi = Array.IndexOf(names, OpenAiName);
        openAi = openAi < count ? openAi : -1;
        int grpc = Array.IndexOf(names, PreferredName);
        if (grpc < 0 || grpc >= count)
        {
            grpc = openAi == 0 ? (count > 1 ? 1 : -1) : 0;
        }

        return (At(grpc, names), At(openAi, names));
    }

    public static (InheritedSocket? Grpc, InheritedSocket? OpenAi) TakeBothFromProcess() =>
        TakeBoth(Environment.GetEnvironmentVariable, name => Environment.SetEnvironmentVariable(name, null), Environment.ProcessId);

    private static InheritedSocket? At(int index, string[] names) =>
        index < 0 ? null : new InheritedSocket(FirstFileDescriptor + index, index < names.Length ? names[index] : null);

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
