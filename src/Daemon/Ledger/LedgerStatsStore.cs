using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>Statistics served from the ledger: every committed row counts, and reset windows survive restarts.</summary>
public sealed class LedgerStatsStore(LedgerWriter writer, TimeProvider timeProvider) : IStatsStore
{
    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken) => writer.RecordAsync(record, cancellationToken);

    public GetStatsResponse Query(GetStatsRequest request, uint inFlight)
    {
        try
        {
            using SqliteConnection connection = writer.OpenConnection();

            // One snapshot for the window, the totals, the sums and the percentiles: a row the writer commits
            // between two of these queries would otherwise be in some numbers and missing from others.
            using SqliteTransaction snapshot = connection.BeginSnapshot();
            long windowStart = connection.ScalarInt64(LedgerStore.CurrentWindowSql, snapshot);
            long since = request.SinceUnixMs > 0 ? request.SinceUnixMs : windowStart;
            long until = request.UntilUnixMs > 0 ? request.UntilUnixMs : timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var response = new GetStatsResponse
            {
                WindowStartUnixMs = windowStart,
                SinceUnixMs = since,
                UntilUnixMs = until,
                Total = LedgerStatsQuery.Total(connection, snapshot, since, until, request.Filter),
                InFlight = inFlight,
            };
            if (request.GroupBy != GroupBy.None)
            {
                response.Groups.AddRange(LedgerStatsQuery.Groups(connection, snapshot, since, until, request.Filter, request.GroupBy));
            }

            return response;
        }
        catch (LedgerUnavailableException ex)
        {
            throw new RouterException(RouterErrorCode.LedgerUnavailable, ex.Message);
        }
        catch (SqliteException ex)
        {
            throw new RouterException(RouterErrorCode.LedgerUnavailable, "ledger cannot be read: " + ex.Message);
        }
    }

    public ResetStatsResponse Reset()
    {
        try
        {
            long now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            using SqliteConnection connection = writer.OpenConnection();

            // One write transaction: the previous window's totals are read before any row can land in the new one.
            using SqliteTransaction transaction = connection.BeginTransaction();
            long previous = connection.ScalarInt64(LedgerStore.CurrentWindowSql, transaction);
            LedgerStore.InsertWindow(connection, transaction, now);
            var response = new ResetStatsResponse
            {
                PreviousWindowStartUnixMs = previous,
                WindowStartUnixMs = now,
                PreviousTotal = LedgerStatsQuery.Total(connection, transaction, previous, now, null),
            };
            transaction.Commit();
            return response;
        }
        catch (LedgerUnavailableException ex)
        {
            throw new RouterException(RouterErrorCode.LedgerUnavailable, ex.Message);
        }
        catch (SqliteException ex)
        {
            throw new RouterException(RouterErrorCode.LedgerUnavailable, "ledger cannot be written: " + ex.Message);
        }
    }
}
