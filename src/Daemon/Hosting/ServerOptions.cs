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

    /// <summary>Serve gRPC server reflection, so grpcurl can list and describe the services.</summary>
    public bool Reflection { get; init; } = true;

    /// <summary>Reads the "server" section; errors go to the node's collector and defaults stand in.</summary>
    public static ServerOptions Parse(ConfigNode node)
    {
        node.AllowOnly("socketPath", "socketMode", "socketGroup", "maxReceiveMessageBytes", "maxConcurrentStreams", "shutdownTimeout", "reflection");
        var defaults = new ServerOptions();
        string? socketPath = node.Text("socketPath");
        if (socketPath is { Length: > 0 } && !Path.IsPathFullyQualified(socketPath))
        {
            node.Error("socketPath", $"'{socketPath}' must be an absolute path");
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
