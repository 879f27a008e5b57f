using Cortex.Llm.V1;
using Cortex.Llmd.Callers;

namespace Cortex.Llmd.Stats;

/// <summary>One finished request, as statistics see it. Holds no prompt or answer text.</summary>
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

    public bool Succeeded => Status == StatusOk;
}
