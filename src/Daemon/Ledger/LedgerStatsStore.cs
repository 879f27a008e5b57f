using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Ledger.Sqlite;
using Cortex.Llmd.Stats;

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
            using SqliteDatabase database = store.OpenConnection();

            // One snapshot for the window, the totals, the sums and the percentiles: a row the writer commits
            // between two of these queries would otherwise be in some numbers and missing from others.
            using SqliteTransaction snapshot = database.BeginRead();
            long windowStart = database.ScalarInt64(LedgerStore.CurrentWindowSql);
            long since = request.SinceUnixMs > 0 ? request.SinceUnixMs : windowStart;
            long until = request.UntilUnixMs > 0 ? request.UntilUnixMs : timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var response = new GetStatsResponse
            {
                WindowStartUnixMs = windowStart,
                SinceUnixMs = since,
                UntilUnixMs = until,
                Total = LedgerStatsQuery.Total(database, since, until, request.Filter),
                InFlight = inFlight,
            };
            if (request.GroupBy != GroupBy.None)
            {
                response.Groups.AddRange(LedgerStatsQuery.Groups(database, since, until, request.Filter, request.GroupBy));
            }

            return response;
        }
        catch (SqliteCallException ex)
        {
            throw new RouterException(RouterErrorCode.LedgerUnavailable, "ledger cannot be read: " + ex.Message);
        }
    }

    public ResetStatsResponse Reset()
    {
        LedgerStore store = OpenStore();
        try
        {
            long now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            long previous = store.StartWindow(now);
            using SqliteDatabase database = store.OpenConnection();
            return new ResetStatsResponse
            {
                PreviousWindowStartUnixMs = previous,
                WindowStartUnixMs = now,
                PreviousTotal = LedgerStatsQuery.Total(database, previous, now, null),
            };
        }
        catch (SqliteCallException ex)
        {
            throw new RouterException(RouterErrorCode.LedgerUnavailable, "ledger cannot be written: " + ex.Message);
        }
    }

    private LedgerStore OpenStore() =>
        writer.Store ?? throw new RouterException(RouterErrorCode.LedgerUnavailable, "ledger unavailable: " + writer.Health.Reason);
}
