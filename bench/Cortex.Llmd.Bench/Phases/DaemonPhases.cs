using Cortex.Llmd.Bench.Load;
using Cortex.Llmd.Bench.Processes;
using Cortex.Llmd.Bench.Report;
using Cortex.Llmd.Bench.Targets;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Bench.Phases;

/// <summary>What only the daemon is measured for: RSS over a long run, and its ledger after the run.</summary>
internal static class DaemonPhases
{
    /// <summary>
    /// The long run: <see cref="BenchOptions.LongRun"/> plain calls at a fixed concurrency, RSS read after
    /// every <see cref="BenchOptions.SampleEvery"/>. The first sample (after the first interval) is the
    /// warmed-up baseline the drift is measured against.
    /// </summary>
    public static async Task<DriftResult> LongRunAsync(BenchContext context, DaemonTarget daemon)
    {
        BenchOptions options = context.Options;
        var samples = new List<(long, long)>();
        int done = 0;
        int errors = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (done < options.LongRun)
        {
            int batch = Math.Min(options.SampleEvery, options.LongRun - done);
            ClosedLoopResult result = await ClosedLoop.RunAsync(
                ct => daemon.CompleteAsync(Workload.Plain, ct), options.LongRunConcurrency, batch, () => context.StartMeter(daemon), context.Cancellation);
            done += batch;
            errors += result.Errors;
            long rss = ProcStat.MemoryBytes(daemon.GatewayPid!.Value, "VmRSS");
            samples.Add((done, rss));
            BenchContext.Progress($"long run: {done:N0} calls, RSS {Format.Bytes(rss)}, {result.PerSecond:N0}/s");
        }

        return new DriftResult(options.LongRun, options.LongRunConcurrency, options.LongRun / clock.Elapsed.TotalSeconds, errors, samples);
    }

    /// <summary>
    /// After the daemon stopped: every Router call it answered (or failed) and every request sent to its
    /// OpenAI-compatible door must be one row of <c>requests</c>. Bytes per request count the database
    /// and its -wal after a TRUNCATE checkpoint.
    /// </summary>
    public static LedgerResult CheckLedger(string path, DaemonTarget daemon, HttpTarget openAi)
    {
        try
        {
            long rows;
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                connection.Open();
                using SqliteCommand count = connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM requests";
                rows = (long)count.ExecuteScalar()!;
                using SqliteCommand checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                checkpoint.ExecuteNonQuery();
            }

            long bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
            return new LedgerResult(rows, daemon.Answered, daemon.Failed, openAi.Sent, bytes, null);
        }
        catch (SqliteException e)
        {
            return new LedgerResult(0, daemon.Answered, daemon.Failed, openAi.Sent, 0, e.Message);
        }
    }

    /// <summary>Memory of a gateway: idle was read at start; now the peak (VmHWM) and RSS after a quiet spell.</summary>
    public static async Task<MemoryResult> AfterLoadAsync(int pid, long idle, TimeSpan quiet, CancellationToken cancellationToken)
    {
        long peak = ProcStat.MemoryBytes(pid, "VmHWM");
        await Task.Delay(quiet, cancellationToken);
        return new MemoryResult(idle, peak, ProcStat.MemoryBytes(pid, "VmRSS"));
    }
}
