using Cortex.Llmd.Ledger;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerRetentionTests
{
    private string _dir = null!;
    private string _path = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _dir = TempDirectory.Create();
        _path = Path.Combine(_dir, "ledger.db");
    }

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public void Prune_RowsOlderThanCutoff_DeletesThemAndTheirAttemptsInBatches()
    {
        using LedgerStore store = LedgerTestData.Open(_path);
        store.Write([.. Enumerable.Range(0, 1200).Select(i => LedgerTestData.Row(i))], storePrompts: false);
        long cutoff = LedgerTestData.Start.AddMilliseconds(1100 * 1000).ToUnixTimeMilliseconds();
        using SqliteConnection connection = store.OpenConnection();

        int first = LedgerRetention.Prune(connection, cutoff, 500);
        int second = LedgerRetention.Prune(connection, cutoff, 500);
        int third = LedgerRetention.Prune(connection, cutoff, 500);

        Assert.That((first, second, third), Is.EqualTo((500, 500, 100)));
        Assert.That(connection.ScalarInt64("SELECT MIN(time_ms) FROM requests"), Is.EqualTo(cutoff));
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM attempt_rows WHERE request NOT IN (SELECT id FROM requests)"), Is.Zero, "no orphaned attempts");
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM attempt_rows"), Is.EqualTo(Enumerable.Range(1100, 100).Sum(i => LedgerTestData.Row(i).Attempts.Count)));
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(100));
    }

    [Test]
    public async Task PruneAsync_RowsPastRetention_DeletesOnlyThoseInOnePass()
    {
        var time = new ManualTimeProvider(LedgerTestData.Start);
        var options = new LedgerOptions { RetentionDays = 1 };
        await using var writer = new LedgerWriter(_path, options, time, NullLogger.Instance);
        writer.Start();
        int old = LedgerRetention.BatchSize + 7; // more than one batch
        await Task.WhenAll(Enumerable.Range(0, old + 3).Select(i =>
            writer.RecordAsync(LedgerTestData.Row(i, LedgerTestData.Start.AddHours(i < old ? -30 : -1).AddMilliseconds(i)), CancellationToken.None).AsTask()));
        var retention = new LedgerRetention(writer, options, time, NullLogger.Instance);

        long deleted = await retention.PruneAsync(CancellationToken.None);

        Assert.That(deleted, Is.EqualTo(old));
        using SqliteConnection connection = writer.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(3));
    }

    [Test]
    public async Task PruneAsync_LedgerDegraded_DeletesNothingAndDoesNotThrow()
    {
        string blocker = Path.Combine(_dir, "state");
        await File.WriteAllTextAsync(blocker, "a file where the ledger's directory should be");
        var time = new ManualTimeProvider(LedgerTestData.Start);
        var options = new LedgerOptions { RetentionDays = 1 };
        await using var writer = new LedgerWriter(Path.Combine(blocker, "ledger.db"), options, time, NullLogger.Instance);
        writer.Start();

        long deleted = await new LedgerRetention(writer, options, time, NullLogger.Instance).PruneAsync(CancellationToken.None);

        Assert.That(deleted, Is.Zero);
    }
}
