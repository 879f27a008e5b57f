namespace Cortex.Llmd.Hosting;

/// <summary>The daemon's few flags. Kept by hand: a service's command line must never surprise.</summary>
public sealed record DaemonCommandLine(string? ConfigPath, string? SocketPath, bool CheckConfig, bool ShowHelp, bool ShowVersion)
{
    public const string Usage = """
        Usage: cortex-llmd [--config PATH] [--socket PATH] [--check-config]

          --config PATH    configuration file (default: $CORTEX_LLMD_CONFIG, else /etc/cortex/llmd.json)
          --socket PATH    Unix socket to serve on (default: $CORTEX_LLMD_SOCKET, else the config's
                           server.socketPath, else /run/cortex/llmd.sock as root or
                           $XDG_RUNTIME_DIR/cortex/llmd.sock otherwise)
          --check-config   validate the configuration, print the result and exit
          --version        print the version and exit
          --help           print this help and exit

        Exit codes: 0 clean stop, 1 runtime failure, 2 bad command line, 73 socket unavailable
        (already served, or its directory missing or not writable), 78 invalid configuration.
        """;

    public static DaemonCommandLine Parse(IReadOnlyList<string> args, out string? error)
    {
        string? config = null;
        string? socket = null;
        bool check = false, help = false, version = false;
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "--config":
                    config = inline ?? Next(args, ref i, arg, ref error);
                    break;
                case "--socket":
                    socket = inline ?? Next(args, ref i, arg, ref error);
                    break;
                case "--check-config":
                    check = true;
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                case "--version":
                    version = true;
                    break;
                default:
                    error ??= $"unknown argument '{args[i]}'";
                    break;
            }
        }

        return new DaemonCommandLine(config, socket, check, help, version);
    }

    private static string? Next(IReadOnlyList<string> args, ref int i, string name, ref string? error)
    {
        if (i + 1 < args.Count && args[i + 1].Length > 0)
        {
            return args[++i];
        }

        error ??= $"{name} needs a value";
        return null;
    }
}
