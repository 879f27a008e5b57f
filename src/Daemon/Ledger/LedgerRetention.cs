using Cortex.Llmd.Logging;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// Prunes rows older than retentionDays in the background: small transactions (<see cref="BatchSize"/>
/// rows each) so the writer never waits long for the database lock.
/// </summary>
public sealed class LedgerRetention(LedgerWriter writer, LedgerOptions options, TimeProvider timeProvider, ILogger logger)
{
    public const int BatchSize = 500;

    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>Prunes now, then every <see cref="Interval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.RetentionDays == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, timeProvider);
        do
        {
            await PruneAsync(cancellationToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One pass: deletes expired rows batch by batch. Returns how many requests were deleted.</summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        // A degraded ledger is left alone: its disk is failing, and its rows wait in the backlog anyway.
        if (options.RetentionDays == 0 || !writer.Health.IsHealthy)
        {
            return 0;
        }

        long cutoff = (timeProvider.GetUtcNow() - TimeSpan.FromDays(options.RetentionDays)).ToUnixTimeMilliseconds();
        long total = 0;
        try
        {
            using SqliteConnection connection = writer.OpenConnection();
            int deleted;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                deleted = Prune(connection, cutoff, BatchSize);
                total += deleted;
                await Task.Yield(); // let the writer in between batches
            }
            while (deleted == BatchSize);
        }
        catch (Exception ex) when (ex is SqliteException or LedgerUnavailableException)
        {
            Log.LedgerPruneFailed(logger, ex.Message);
        }

        if (total > 0)
        {
            Log.LedgerPruned(logger, total, options.RetentionDays);
        }

        return total;
    }

    /// <summary>Deletes at most <paramref name="limit"/> requests older than the cutoff, with their attempts, in one transaction.</summary>
    internal static int Prune(SqliteConnection connection, long cutoffMs, int limit)
    {
        using SqliteTransaction transaction = connection.BeginTransaction();
        connection.Execute("CREATE TEMP TABLE IF NOT EXISTS prune_rows (id INTEGER PRIMARY KEY); DELETE FROM prune_rows;", transaction);
        using (SqliteCommand select = connection.Command(
            "INSERT INTO prune_rows SELECT id FROM requests WHERE time_ms < $cutoff ORDER BY time_ms LIMIT $limit", transaction))
        {
            select.Bind("$cutoff", cutoffMs);
            select.Bind("$limit", limit);
            select.ExecuteNonQuery();
        }

        connection.Execute("""
            DELETE FROM attempt_rows WHERE request IN (SELECT id FROM prune_rows);
            DELETE FROM requests WHERE id IN (SELECT id FROM prune_rows);
            """, transaction);
        int deleted = (int)connection.ScalarInt64("SELECT COUNT(*) FROM prune_rows", transaction);
        transaction.Commit();
        return deleted;
    }
}
