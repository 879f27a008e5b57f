using System.CommandLine;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Client;
using Grpc.Core;

namespace Cortex.Llm.Cli;

/// <summary>What one command invocation needs: where to connect, how to print, and how failures become exit codes.</summary>
internal sealed class CommandContext
{
    internal CommandContext(CliHost host, string socketPath, bool json, bool verbose, TimeSpan? timeout)
    {
        Host = host;
        SocketPath = socketPath;
        Json = json;
        Verbose = verbose;
        Timeout = timeout;
    }

    public CliHost Host { get; }

    public string SocketPath { get; }

    public bool Json { get; }

    public bool Verbose { get; }

    /// <summary>The --timeout given on the command line, if any.</summary>
    public TimeSpan? Timeout { get; }

    public TextWriter Out => Host.Stdout;

    public TextWriter Err => Host.Stderr;

    public static CommandContext From(ParseResult result, GlobalOptions options, CliHost host)
    {
        string? socket = result.GetValue(options.Socket);
        return new CommandContext(
            host,
            string.IsNullOrEmpty(socket) ? CortexSocket.DefaultPath() : socket,
            result.GetValue(options.Json),
            result.GetValue(options.Verbose),
            result.GetValue(options.Timeout));
    }

    /// <summary>The call's deadline counts from now: --timeout if given, else the command's default (null: none).</summary>
    public CallOptions CallOptions(TimeSpan? defaultTimeout, CancellationToken cancellationToken) =>
        new(deadline: Deadline(Timeout ?? defaultTimeout, DateTime.UtcNow), cancellationToken: cancellationToken);

    /// <summary>A timeout too long to add to the clock (--timeout 99999999d) means no deadline: gRPC's DateTime.MaxValue.</summary>
    internal static DateTime? Deadline(TimeSpan? timeout, DateTime now) => timeout switch
    {
        null => null,
        { } t when t < DateTime.MaxValue - now => now + t,
        _ => DateTime.MaxValue,
    };

    /// <summary>
    /// Runs a command body against a fresh client and turns every failure into its message and exit code.
    /// An interruption (Ctrl-C) exits 130, or 0 for commands where it is the normal way to stop.
    /// </summary>
    public async Task<int> RunAsync(Func<CortexLlmClient, Task<int>> body, CancellationToken cancellationToken, bool interruptIsSuccess = false)
    {
        using var client = new CortexLlmClient(SocketPath);
        try
        {
            return await body(client);
        }
        catch (CortexUnreachableException e)
        {
            ErrorReport.Usage(Err, $"cannot reach cortex-llmd at {SocketPath}: {e.Reason}");
            return ExitCodes.Unreachable;
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            // Once the user interrupted, any status is the interruption's echo: a stream torn down in the
            // middle of a read surfaces from Grpc.Net.Client as UNAVAILABLE ("the request was aborted"),
            // not CANCELLED, depending on where the read was when Ctrl-C came.
            return interruptIsSuccess ? ExitCodes.Ok : ExitCodes.Interrupted;
        }
        catch (RpcException e)
        {
            ErrorReport.Write(Err, e);
            return ExitCodes.FromError(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return interruptIsSuccess ? ExitCodes.Ok : ExitCodes.Interrupted;
        }
        catch (UsageException e)
        {
            ErrorReport.Usage(Err, e.Message);
            return ExitCodes.Usage;
        }
    }
}

/// <summary>A problem with what the user asked for, found after parsing (an unreadable file, an empty prompt).</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
