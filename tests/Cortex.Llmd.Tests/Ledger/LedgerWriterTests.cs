using System.Collections.Concurrent;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerWriterTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public async Task RecordAsync_200Concurrent_EachCompletesOnlyAfterItsCommitAndAllAreStored()
    {
        var committed = new ConcurrentDictionary<string, bool>();
        var batchSizes = new ConcurrentQueue<int>();
        string path = Path.Combine(_dir, "ledger.db");
        await using var writer = new LedgerWriter(path, new LedgerOptions { MaxBatch = 64 }, TimeProvider.System, NullLogger.Instance)
        {
            Committed = rows =>
            {
                batchSizes.Enqueue(rows.Count);
                Thread.Sleep(20); // a slow disk: later rows pile up and must share transactions
                foreach (RequestRecord row in rows)
                {
                    committed[row.RequestId] = true;
                }
            },
        };
        writer.Start();
        Assert.That(writer.Health.IsHealthy, Is.True);

        var early = new ConcurrentBag<string>();
        Task[] records = [.. Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            RequestRecord row = LedgerTestData.Row(i);
            await writer.RecordAsync(row, CancellationToken.None);
            if (!committed.ContainsKey(row.RequestId))
            {
                early.Add(row.RequestId);
            }
        }))];
        await Task.WhenAll(records);

        Assert.That(early, Is.Empty, "released before their commit");
        Assert.That(batchSizes.Sum(), Is.EqualTo(200));
        Assert.That(batchSizes.Max(), Is.GreaterThan(1).And.LessThanOrEqualTo(64), "group commit within maxBatch");
        using SqliteConnection connection = writer.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(200));
    }

    [Test]
    public async Task RecordAsync_StoreCannotBeOpened_CompletesAtOnceAndCountsBacklog()
    {
        string blocker = Path.Combine(_dir, "state");
        await File.WriteAllTextAsync(blocker, "a file where the ledger's directory should be");
        var time = new ManualTimeProvider(LedgerTestData.Start);
        var states = new ConcurrentQueue<LedgerHealth>();
        await using var writer = new LedgerWriter(Path.Combine(blocker, "ledger.db"), new LedgerOptions(), time, NullLogger.Instance);
        writer.HealthChanged += states.Enqueue;
        writer.Start();

        for (int i = 0; i < 5; i++)
        {
            ValueTask record = writer.RecordAsync(LedgerTestData.Row(i), CancellationToken.None);
            Assert.That(record.IsCompleted, Is.True, "not held back by a store that cannot commit");
        }

        LedgerHealth health = writer.Health;
        Assert.That(health.State, Is.EqualTo(LedgerState.Degraded));
        Assert.That(health.Backlog, Is.EqualTo(5));
        Assert.That(health.Dropped, Is.Zero);
        Assert.That(health.Reason, Is.Not.Empty);
        Assert.That(states.Last().IsHealthy, Is.False);
        Assert.That(() => writer.OpenConnection(), Throws.TypeOf<LedgerUnavailableException>().With.Message.Contains(health.Reason), "readers fail as writes do");
    }

    [Test]
    public async Task RecordAsync_StoreRecovers_BacklogIsFlushedInOrderAndHealthReturns()
    {
        string directory = Path.Combine(_dir, "state");
        await File.WriteAllTextAsync(directory, "in the way");
        var time = new ManualTimeProvider(LedgerTestData.Start);
        var states = new ConcurrentQueue<LedgerHealth>();
        await using var writer = new LedgerWriter(Path.Combine(directory, "ledger.db"), new LedgerOptions { MaxBatch = 2 }, time, NullLogger.Instance);
        writer.HealthChanged += states.Enqueue;
        writer.Start();
        for (int i = 0; i < 5; i++)
        {
            await writer.RecordAsync(LedgerTestData.Row(i), CancellationToken.None);
        }

        File.Delete(directory);
        Directory.CreateDirectory(directory);
        time.Advance(writer.RetryInterval);
        await LedgerTestData.WaitUntilAsync(() => writer.Health.IsHealthy, "recovery");
        await writer.RecordAsync(LedgerTestData.Row(5), CancellationToken.None);

        Assert.That(writer.Health, Is.EqualTo(new LedgerHealth(LedgerState.Healthy, string.Empty, 0, 0)));
        Assert.That(states.Last().IsHealthy, Is.True);
        using SqliteConnection connection = writer.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(6));
        using SqliteCommand order = connection.Command("SELECT group_concat(request_id, ' ') FROM (SELECT request_id FROM requests ORDER BY rowid)");
        Assert.That(order.ExecuteScalar(), Is.EqualTo("req_00000 req_00001 req_00002 req_00003 req_00004 req_00005"));
    }

    [Test]
    public async Task RecordAsync_ClockPassesRetryTimeWhileDegraded_WriterKeepsRetryingAndRecovers()
    {
        // Every reading of this clock is 4 s later than the one before: the retry time, 5 s after a failure,
        // falls between two readings, as it does on a machine that stalls between them.
        string directory = Path.Combine(_dir, "state");
        await File.WriteAllTextAsync(directory, "in the way");
        await using var writer = new LedgerWriter(
            Path.Combine(directory, "ledger.db"), new LedgerOptions(), new SteppingTimeProvider(LedgerTestData.Start, TimeSpan.FromSeconds(4)), NullLogger.Instance)
        {
            RetryInterval = TimeSpan.FromSeconds(5),
        };
        writer.Start();
        await writer.RecordAsync(LedgerTestData.Row(0), CancellationToken.None);

        File.Delete(directory);
        Directory.CreateDirectory(directory);

        await LedgerTestData.WaitUntilAsync(() => writer.Health.IsHealthy, "recovery");
        using SqliteConnection connection = writer.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(1));
    }

    /// <summary>Real timers; a clock that moves on by <paramref name="step"/> each time it is read.</summary>
    private sealed class SteppingTimeProvider(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private long _reads;

        public override DateTimeOffset GetUtcNow() => start + (step * Interlocked.Increment(ref _reads));
    }

    [Test]
    public async Task RecordAsync_BacklogOverLimit_DropsOldestAndCountsThem()
    {
        string blocker = Path.Combine(_dir, "state");
        await File.WriteAllTextAsync(blocker, "x");
        await using var writer = new LedgerWriter(
            Path.Combine(blocker, "ledger.db"), new LedgerOptions { BacklogLimit = 3 }, new ManualTimeProvider(LedgerTestData.Start), NullLogger.Instance);
        writer.Start();

        for (int i = 0; i < 10; i++)
        {
            await writer.RecordAsync(LedgerTestData.Row(i), CancellationToken.None);
        }

        Assert.That((writer.Health.Backlog, writer.Health.Dropped), Is.EqualTo((3, 7L)));
    }

    [Test]
    public async Task RecordAsync_DiskFullWhileServing_DegradesThenRecoversWithoutLosingRows()
    {
        SqliteConnection? writerConnection = null;
        var time = new ManualTimeProvider(LedgerTestData.Start);
        string path = Path.Combine(_dir, "ledger.db");
        await using var writer = new LedgerWriter(path, new LedgerOptions { StorePrompts = true }, time, NullLogger.Instance, connection => writerConnection ??= connection);
        writer.Start();
        await writer.RecordAsync(LedgerTestData.Row(0), CancellationToken.None);

        // SQLite's page limit answers SQLITE_FULL exactly as a full disk does; the writer is idle between records.
        writerConnection!.Execute("PRAGMA max_page_count = 1"); // clamps to the current size: no page can be added

        string big = new('x', 64 * 1024);
        await writer.RecordAsync(LedgerTestData.Row(1) with { PromptText = big }, CancellationToken.None);
        LedgerHealth degraded = writer.Health;
        await writer.RecordAsync(LedgerTestData.Row(2), CancellationToken.None);

        Assert.That(degraded.State, Is.EqualTo(LedgerState.Degraded));
        Assert.That(degraded.Reason, Does.Contain("full").IgnoreCase);
        Assert.That(writer.Health.Backlog, Is.EqualTo(2));

        time.Advance(writer.RetryInterval);
        await LedgerTestData.WaitUntilAsync(() => writer.Health.IsHealthy, "recovery");

        using SqliteConnection connection = writer.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(3));
        Assert.That(connection.ScalarInt64("SELECT length(prompt_text) FROM requests WHERE request_id = 'req_00001'"), Is.EqualTo(big.Length));
    }

    [TestCase(LedgerDurability.Crash, 1L)]
    [TestCase(LedgerDurability.Power, 2L)]
    public async Task Start_Durability_SetsSynchronousOnWriterAndReaderConnections(LedgerDurability durability, long synchronous)
    {
        SqliteConnection? writerConnection = null;
        await using var writer = new LedgerWriter(
            Path.Combine(_dir, "ledger.db"), new LedgerOptions { Durability = durability }, TimeProvider.System, NullLogger.Instance, connection => writerConnection ??= connection);
        writer.Start();
        await writer.RecordAsync(LedgerTestData.Row(0), CancellationToken.None);

        using SqliteConnection reader = writer.OpenConnection();
        Assert.That(writerConnection!.ScalarInt64("PRAGMA synchronous"), Is.EqualTo(synchronous), "the writer's connection");
        Assert.That(reader.ScalarInt64("PRAGMA synchronous"), Is.EqualTo(synchronous), "a reader's connection");
        using SqliteCommand journal = reader.Command("PRAGMA journal_mode");
        Assert.That(journal.ExecuteScalar(), Is.EqualTo("wal"), "both modes are WAL");
    }
}
