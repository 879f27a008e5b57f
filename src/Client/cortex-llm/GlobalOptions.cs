using System.CommandLine;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.Client;

namespace Cortex.Llm.Cli;

/// <summary>Options every command accepts (declared once on the root, recursively).</summary>
internal sealed class GlobalOptions
{
    public Option<string> Socket { get; } = new("--socket")
    {
        Description = $"Path of the daemon's Unix socket (default: ${CortexSocket.EnvironmentVariable}, else the per-user or system socket)",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine-readable JSON on stdout (proto3 JSON mapping)",
        Recursive = true,
    };

    public Option<TimeSpan?> Timeout { get; } = new("--timeout")
    {
        Description = "Deadline of the call, e.g. 500ms, 30s, 2m (default: 120s for complete, 10s otherwise, none for events)",
        HelpName = "DURATION",
        Recursive = true,
        CustomParser = OptionRules.Duration,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print the completion summary on stderr even when it is not a terminal",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Add(Socket);
        root.Add(Json);
        root.Add(Timeout);
        root.Add(Verbose);
    }
}
