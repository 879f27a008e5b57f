using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Hosting;

public sealed record ServerOptions
{
    /// <summary>Null means the default for the user running the daemon (see SocketPaths).</summary>
    public string? SocketPath { get; init; }

    public UnixFileMode SocketMode { get; init; } = (UnixFileMode)0b110_110_000; // 0660

    /// <summary>Group given to the socket file when that group exists; empty disables.</summary>
    public string SocketGroup { get; init; } = "cortex";

    /// <summary>grpc-dotnet's own default (4 MiB), kept explicit because the API doc promises it.</summary>
    public int MaxReceiveMessageBytes { get; init; } = 4 * 1024 * 1024;

    public int MaxConcurrentStreams { get; init; } = 256;

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connections open at once, all callers together (lowered at start to fit RLIMIT_NOFILE).</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Connections open at once from one uid, root included.</summary>
    public int MaxConnectionsPerUid { get; init; } = 64;

    /// <summary>A connection with no call in progress for this long is closed (Kestrel's KeepAliveTimeout).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>HTTP/2 PING sent after this long without frames from the caller; zero sends none.</summary>
    public TimeSpan KeepAlivePingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A connection whose caller does not answer a keep-alive PING within this is closed.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Serve gRPC server reflection, so grpcurl can list and describe the services.</summary>
    public bool Reflection { get; init; } = true;

    /// <summary>Reads the "server" section; errors go to the node's collector and defaults stand in.</summary>
    public static ServerOptions Parse(ConfigNode node)
    {
        node.AllowOnly("socketPath", "socketMode", "socketGroup", "maxReceiveMessageBytes", "maxConcurrentStreams", "shutdownTimeout", "reflection",
            "maxConnections", "maxConnectionsPerUid", "idleTimeout", "keepAlivePingInterval", "keepAlivePingTimeout");
        var defaults = new ServerOptions();
        string? socketPath = node.Text("socketPath");
        if (socketPath is { Length: > 0 } && !Path.IsPathFullyQualified(socketPath))
        {
            node.Error("socketPath", $"'{socketPath}' must be an absolute path");
        }

        int maxConnections = (int)node.Number("maxConnections", defaults.MaxConnections, 1, 1_000_000);
        int maxConnectionsPerUid = (int)node.Number("maxConnectionsPerUid", defaults.MaxConnectionsPerUid, 1, 1_000_000);
        if (maxConnectionsPerUid > maxConnections)
        {
            node.Error("maxConnectionsPerUid", $"{maxConnectionsPerUid} is above server.maxConnections ({maxConnections})");
        }

        return new ServerOptions
        {
            SocketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath,
            SocketMode = ParseMode(node, defaults.SocketMode),
            SocketGroup = node.Text("socketGroup", defaults.SocketGroup)!,
            MaxReceiveMessageBytes = (int)node.Number("maxReceiveMessageBytes", defaults.MaxReceiveMessageBytes, 1024, 64L * 1024 * 1024),
            MaxConcurrentStreams = (int)node.Number("maxConcurrentStreams", defaults.MaxConcurrentStreams, 1, 10_000),
            ShutdownTimeout = node.Duration("shutdownTimeout", defaults.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10)),
            Reflection = node.Flag("reflection", defaults.Reflection),
            MaxConnections = maxConnections,
            MaxConnectionsPerUid = maxConnectionsPerUid,
            IdleTimeout = node.Duration("idleTimeout", defaults.IdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            KeepAlivePingInterval = node.Duration("keepAlivePingInterval", defaults.KeepAlivePingInterval, TimeSpan.Zero, TimeSpan.FromDays(1)),
            KeepAlivePingTimeout = node.Duration("keepAlivePingTimeout", defaults.KeepAlivePingTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        };
    }

    private static UnixFileMode ParseMode(ConfigNode node, UnixFileMode fallback)
    {
        string? text = node.Text("socketMode");
        if (text is null)
        {
            return fallback;
        }

        try
        {
            int mode = Convert.ToInt32(text, 8);
            if (mode is < 0 or > 0b111_111_111)
            {
                throw new FormatException();
            }

            return (UnixFileMode)mode;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            node.Error("socketMode", $"'{text}' is not an octal file mode such as \"0660\"");
            return fallback;
        }
    }
}
