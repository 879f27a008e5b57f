using Cortex.Llm.Cli;
using Cortex.Llm.Client.Tests.Fakes;

namespace Cortex.Llm.Client.Tests.Cli;

/// <summary>Runs the CLI in-process through its public entry point against the fixture's fake daemon.</summary>
public abstract class CliTestBase : FakeServerTestBase
{
    /// <summary>Runs cortex-llm with --socket pointing at the fake daemon.</summary>
    protected Task<CliRun> RunAsync(params string[] args) => RunWithStdinAsync(string.Empty, args);

    protected Task<CliRun> RunWithStdinAsync(string stdin, params string[] args) =>
        RunRawAsync(stdin, [.. args, "--socket", Server.SocketPath]);

    protected static async Task<CliRun> RunRawAsync(string stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin);
        int exitCode = await CliApp.RunAsync(args, stdout, stderr, input).WaitAsync(TimeSpan.FromSeconds(30));
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}

public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
