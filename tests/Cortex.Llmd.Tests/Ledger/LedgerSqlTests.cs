using System.Diagnostics;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Ledger;

/// <summary>What the ledger relies on in Microsoft.Data.Sqlite, pinned down so an upgrade cannot change it silently.</summary>
public class LedgerSqlTests
{
    private string _dir = null!;
    private string _path = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _dir = TempDirectory.Create();
        _path = Path.Combine(_dir, "t.db");
    }

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public void Open_ThenDispose_ReallyClosesTheFile()
    {
        SqliteConnection connection = LedgerSql.Open(_path);
        connection.Execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        Assert.That(LedgerStoreTests.OpenDescriptors(_path), Is.Not.Zero, "precondition: the file is open");

        connection.Dispose();

        Assert.That(LedgerStoreTests.OpenDescriptors(_path), Is.Zero, "a pooled connection would still hold it");
    }

    [Test]
    public void ScalarInt64_NoRowOrNull_ZeroOrThrows()
    {
        using SqliteConnection connection = LedgerSql.Open(":memory:");
        connection.Execute("CREATE TABLE t (x INTEGER)");

        Assert.That(connection.ScalarInt64("SELECT x FROM t"), Is.Zero);
        Assert.Throws<InvalidOperationException>(() => connection.ScalarInt64("SELECT MAX(x) FROM t"));
    }

    [Test]
    public void BeginTransaction_AnotherConnectionHoldsTheWriteLock_WaitsForItAtBegin()
    {
        using SqliteConnection first = LedgerSql.Open(_path);
        LedgerSql.ApplyPragmas(first, LedgerDurability.Crash);
        first.Execute("CREATE TABLE t (x INTEGER)");
        using SqliteConnection second = LedgerSql.Open(_path);
        second.Execute("PRAGMA busy_timeout = 0");

        using SqliteTransaction holding = first.BeginTransaction();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<SqliteException>(() => second.BeginTransaction())!;

        // IMMEDIATE, not deferred: the writer's batch takes the lock before its first insert, or fails there,
        // after the busy timeout (Microsoft.Data.Sqlite's own retries are bounded by the same 5 s).
        Assert.That(error.SqliteErrorCode, Is.EqualTo(LedgerSql.Busy));
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(4)).And.LessThan(TimeSpan.FromSeconds(15)));
        using SqliteCommand command = second.CreateCommand();
        Assert.That(command.CommandTimeout, Is.EqualTo(5), "DefaultTimeout");
    }

    [Test]
    public void BeginSnapshot_AnotherConnectionCommits_ReadsOneSnapshotUntilTheEnd()
    {
        using SqliteConnection reader = LedgerSql.Open(_path);
        LedgerSql.ApplyPragmas(reader, LedgerDurability.Crash);
        reader.Execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        using SqliteConnection writer = LedgerSql.Open(_path);

        using (SqliteTransaction snapshot = reader.BeginSnapshot())
        {
            Assert.That(reader.ScalarInt64("SELECT COUNT(*) FROM t", snapshot), Is.EqualTo(1));
            writer.Execute("INSERT INTO t VALUES (2)");
            Assert.That(reader.ScalarInt64("SELECT COUNT(*) FROM t", snapshot), Is.EqualTo(1), "the snapshot taken at the first read");
        }

        Assert.That(reader.ScalarInt64("SELECT COUNT(*) FROM t"), Is.EqualTo(2));
    }

    [Test]
    public void IsCorruption_GarbageFile_IsNotADatabase()
    {
        File.WriteAllBytes(_path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))]);
        using SqliteConnection connection = LedgerSql.Open(_path);

        var error = Assert.Throws<SqliteException>(() => connection.ScalarInt64("SELECT COUNT(*) FROM sqlite_master"))!;

        Assert.That(error.IsCorruption(), Is.True, error.Message);
    }
}
