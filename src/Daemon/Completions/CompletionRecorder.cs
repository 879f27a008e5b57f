using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Telemetry;

namespace Cortex.Llmd.Completions;

/// <summary>Writes a finished completion's ledger row, then counts it in the metrics and announces it as a RequestFinished event.</summary>
public sealed class CompletionRecorder(IStatsStore stats, EventHub events, GenAiMetrics metrics)
{
    public async ValueTask RecordAsync(RequestRecord record)
    {
        // Failures were not answered: nobody waits on their row, so a caller that went away does not hold it up.
        await stats.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
        metrics.Record(record);

        var finished = new RequestFinished
        {
            RequestId = record.RequestId,
            Caller = record.Caller.ToProto(),
            TaskType = record.Task,
            Route = record.Route,
            Provider = record.Provider,
            Model = record.Model,
            Status = record.Status,
            LatencyUs = (ulong)(record.Latency.Ticks / TimeSpan.TicksPerMicrosecond),
            Cost = record.Cost,
            Usage = record.Usage,
            TenantId = record.TenantId,
            Door = record.Door,
        };
        finished.Attempts.AddRange(record.Attempts);
        events.Publish(new Event { RequestFinished = finished });
    }
}
