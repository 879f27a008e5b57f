using Cortex.Llm.V1;

namespace Cortex.Llmd.Stats;

/// <summary>Where finished requests are counted: the SQLite ledger in the daemon, memory in some tests.</summary>
public interface IStatsStore
{
    /// <summary>Completes once the record is durable (ledger healthy) or accepted (degraded, in memory).</summary>
    ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken);

    GetStatsResponse Query(GetStatsRequest request, uint inFlight);

    ResetStatsResponse Reset();
}
