using Cortex.Llmd.Ledger.Sqlite;
using Cortex.Llmd.Logging;
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
        if (options.RetentionDays == 0 || writer.Store is not { } store)
        {
            return 0;
        }

        long cutoff = (timeProvider.GetUtcNow() - TimeSpan.FromDays(options.RetentionDays)).ToUnixTimeMilliseconds();
        long total = 0;
        try
        {
            int deleted;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                deleted = store.Prune(cutoff, BatchSize);
                total += deleted;
                await Task.Yield(); // let the writer in between batches
            }
            while (deleted == BatchSize);
        }
        catch (SqliteCallException ex)
        {
            Log.LedgerPruneFailed(logger, ex.Message);
        }

        if (total > 0)
        {
            Log.LedgerPruned(logger, total, options.RetentionDays);
        }

        return total;
    }
}
