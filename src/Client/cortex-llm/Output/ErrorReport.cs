using Cortex.Llm;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Grpc.Core;

namespace Cortex.Llm.Cli.Output;

/// <summary>
/// Every error the CLI prints starts with "cortex-llm: " on stderr: a status from the daemon as "STATUS: detail"
/// followed by the attempts when the daemon listed them, anything else as a plain message.
/// </summary>
internal static class ErrorReport
{
    private const string Prefix = "cortex-llm: ";

    public static void Write(TextWriter stderr, RpcException error)
    {
        string detail = error.Status.Detail.Length == 0 ? string.Empty : ": " + error.Status.Detail;
        stderr.WriteLine(Prefix + StatusNames.Of(error.StatusCode) + detail);
        if (error.GetAttemptLog() is { Attempts.Count: > 0 } log)
        {
            WriteAttempts(stderr, log);
        }
    }

    public static void Usage(TextWriter stderr, string message) => stderr.WriteLine(Prefix + message);

    private static void WriteAttempts(TextWriter stderr, AttemptLog log)
    {
        if (log.RequestId.Length > 0)
        {
            stderr.WriteLine("request " + log.RequestId + ", attempts:");
        }

        var table = new Table("#", "PROVIDER", "MODEL", "OUTCOME", "HTTP", "LATENCY", "REASON").AlignRight(0, 4, 5);
        int number = 0;
        foreach (Attempt attempt in log.Attempts)
        {
            table.AddRow(
                (++number).ToString(System.Globalization.CultureInfo.InvariantCulture),
                attempt.Provider,
                attempt.Model,
                KebabNames.Of(attempt.Outcome),
                attempt.HttpStatus == 0 ? "-" : attempt.HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                attempt.Outcome == AttemptOutcome.Skipped ? "-" : Format.Micros(attempt.LatencyUs),
                attempt.Reason);
        }

        table.Write(stderr);
    }
}
