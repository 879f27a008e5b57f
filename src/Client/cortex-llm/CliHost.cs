namespace Cortex.Llm.Cli;

/// <summary>The process around the CLI, passed in so that tests can run it in-process.</summary>
/// <param name="StderrIsTerminal">Whether a person is likely reading stderr (the completion summary goes there).</param>
/// <param name="HandleSignals">Whether Ctrl-C and SIGTERM cancel the running command instead of killing the process.</param>
internal sealed record CliHost(TextWriter Stdout, TextWriter Stderr, TextReader Stdin, bool StderrIsTerminal, bool HandleSignals);
