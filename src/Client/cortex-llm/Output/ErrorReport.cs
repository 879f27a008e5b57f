using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llm.Wire;

namespace Cortex.Llm.Cli.Output;

/// <summary>Errors on stderr: one line "cortex-llm: STATUS: detail", then the attempts when the daemon listed them.</summary>
internal static class ErrorReport
{
    public static void Write(TextWriter stderr, CortexRpcException error)
    {
        string detail = error.Detail.Length == 0 ? string.Empty : ": " + error.Detail;
        stderr.WriteLine($"cortex-llm: {error.StatusCode.ToWireName()}{detail}");
        if (error.Attempts is { Attempts.Count: > 0 } log)
        {
            WriteAttempts(stderr, log);
        }
    }

    public static void Usage(TextWriter stderr, string message) => stderr.WriteLine("cortex-llm: " + message);

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
                Format.Micros(attempt.LatencyUs),
                attempt.Reason);
        }

        table.Write(stderr);
    }
}
