using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Cli.Commands;

namespace Cortex.Llm.Cli;

/// <summary>Builds the command tree and runs it; Program only forwards the console to it.</summary>
public static class CliApp
{
    /// <summary>The deadline of every call except complete (120s) and events (none), unless --timeout says otherwise.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        // Only the real console can be a terminal; anything else was handed in by a caller such as a test.
        bool stderrIsTerminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        return RunAsync(args, new CliHost(stdout, stderr, stdin, stderrIsTerminal, HandleSignals: true));
    }

    internal static async Task<int> RunAsync(string[] args, CliHost host)
    {
        ParseResult result = BuildRoot(host).Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = host.Stdout,
            Error = host.Stderr,
            ProcessTerminationTimeout = host.HandleSignals ? TimeSpan.FromSeconds(2) : null,
        };
        if (result.Errors.Count == 0)
        {
            return await result.InvokeAsync(configuration);
        }

        // System.CommandLine exits 1 on a parse error; here 1 means "the daemon said no", so usage errors get 2.
        // Its own report has no prefix, so the errors are printed here like every other CLI error.
        foreach (ParseError error in result.Errors)
        {
            ErrorReport.Usage(host.Stderr, error.Message);
        }

        return ExitCodes.Usage;
    }

    internal static RootCommand BuildRoot(CliHost host)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("cortex-llm: command-line client of cortex-llmd, the local LLM router.\n\n" + ExitCodes.HelpText)
        {
            CompleteCommand.Create(global, host),
            RouteCommand.Create(global, host),
            StatsCommand.Create(global, host),
            ProvidersCommand.Create(global, host),
            EventsCommand.Create(global, host),
            HealthCommand.Create(global, host),
        };
        global.AddTo(root);
        return root;
    }
}
