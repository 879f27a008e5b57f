using Cortex.Llm.V1;

namespace Cortex.Llmd.Stats;

/// <summary>Where finished requests are counted. The ledger issue puts SQLite behind this seam.</summary>
public interface IStatsStore
{
    void Record(RequestRecord record);

    GetStatsResponse Query(GetStatsRequest request, uint inFlight);

    ResetStatsResponse Reset();
}
