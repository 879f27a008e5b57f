using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Cortex.Llmd.Grpc;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>Statistics served from the ledger: every committed row counts, and reset windows survive restarts.</summary>
public sealed class LedgerStatsStore(LedgerWriter writer, TimeProvider timeProvider) : IStatsStore
{
    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken) => writer.RecordAsync(record, cancellationToken);

    public GetStatsResponse Query(GetStatsRequest request, uint inFlight)
    {
        LedgerStore store = OpenStore();
        try
        {
            using SqliteConnection connection = store.OpenConnection();
            long windowStart = LedgerSchema.Scalar(connection, "SELECT COALESCE(MAX(started_ms), 0) FROM stats_windows");
            long since = request.SinceUnixMs > 0 ? request.SinceUnixMs : windowStart;
            long until = request.UntilUnixMs > 0 ? request.UntilUnixMs : timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var response = new GetStatsResponse
            {
                WindowStartUnixMs = windowStart,
                SinceUnixMs = since,
                UntilUnixMs = until,
                Total = LedgerStatsQuery.Total(connection, since, until, request.Filter),
                InFlight = inFlight,
            };
            if (request.GroupBy != GroupBy.None)
            {
                response.Groups.AddRange(LedgerStatsQuery.Groups(connection, since, until, request.Filter, request.GroupBy));
            }

            return response;
        }
        catch (SqliteException ex)
        {
            throw new RpcException(GrpcStatusCode.Unavailable, "ledger cannot be read: " + ex.Message);
        }
    }

    public ResetStatsResponse Reset()
    {
        LedgerStore store = OpenStore();
        try
        {
            long now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            long previous = store.StartWindow(now);
            using SqliteConnection connection = store.OpenConnection();
            return new ResetStatsResponse
            {
                PreviousWindowStartUnixMs = previous,
                WindowStartUnixMs = now,
                PreviousTotal = LedgerStatsQuery.Total(connection, previous, now, null),
            };
        }
        catch (SqliteException ex)
        {
            throw new RpcException(GrpcStatusCode.Unavailable, "ledger cannot be written: " + ex.Message);
        }
    }

    private LedgerStore OpenStore() =>
        writer.Store ?? throw new RpcException(GrpcStatusCode.Unavailable, "ledger unavailable: " + writer.Health.Reason);
}
