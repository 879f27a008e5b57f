using Cortex.Llm.V1;
using Cortex.Llmd.Callers;

namespace Cortex.Llmd.Stats;

/// <summary>
/// One finished request, as statistics and the ledger see it. Prompt and answer text are only filled
/// in when the ledger is configured to store them.
/// </summary>
public sealed record RequestRecord(
    DateTimeOffset Time,
    string RequestId,
    TaskType Task,
    string Route,
    string Provider,
    string Model,
    string TenantId,
    CallerInfo Caller,
    string Status,
    IReadOnlyList<Attempt> Attempts,
    Usage Usage,
    Cost Cost,
    TimeSpan Latency)
{
    public const string StatusOk = "OK";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Time to the first streamed chunk; null for unary calls or when nothing was streamed.</summary>
    public TimeSpan? Ttft { get; init; }

    /// <summary>The front door the request came through (<see cref="FrontDoors"/>).</summary>
    public string Door { get; init; } = FrontDoors.Grpc;

    public string? PromptText { get; init; }

    public string? AnswerText { get; init; }

    public bool Succeeded => Status == StatusOk;

    /// <summary>Attempts that called a provider: SKIPPED entries of the attempt log are not attempts, and count in no statistic.</summary>
    public int AttemptsMade => Attempts.Count(a => a.Outcome != AttemptOutcome.Skipped);
}
