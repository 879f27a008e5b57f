using Cortex.Llmd.Ledger.Sqlite;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Ledger.Sqlite;

public class SqliteDatabaseTests
{
    private string _dir = null!;
    private string _path = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _dir = TempDirectory.Create();
        _path = Path.Combine(_dir, "test.db");
    }

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public void Open_MissingFile_CreatesDatabaseThatKeepsData()
    {
        using (SqliteDatabase database = SqliteDatabase.Open(_path))
        {
            database.Execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);");
        }

        using SqliteDatabase again = SqliteDatabase.Open(_path);

        Assert.That(File.ReadAllBytes(_path)[..16], Is.EqualTo("SQLite format 3\0"u8.ToArray()));
        Assert.That(again.ScalarInt64("SELECT x FROM t"), Is.EqualTo(7));
    }

    [Test]
    public void Open_MissingDirectory_ThrowsCantOpen()
    {
        var error = Assert.Throws<SqliteCallException>(() => SqliteDatabase.Open(Path.Combine(_dir, "absent", "test.db")))!;

        Assert.That(error.ResultCode, Is.EqualTo(14), "SQLITE_CANTOPEN");
        Assert.That(error.Message, Does.StartWith("SQLite error 14 (unable to open database file)"));
    }

    [Test]
    public void Execute_GarbageFile_ThrowsNotADatabase()
    {
        File.WriteAllBytes(_path, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 % 251))]);
        using SqliteDatabase database = SqliteDatabase.Open(_path);

        var error = Assert.Throws<SqliteCallException>(() => database.Execute("PRAGMA journal_mode = WAL"))!;

        Assert.That(error.ResultCode, Is.EqualTo(SqliteCallException.NotADatabase));
        Assert.That(error.IsCorruption, Is.True);
        Assert.That(error.Message, Does.StartWith("SQLite error 26 "));
    }

    [Test]
    public void Execute_PageLimitReached_ThrowsFullWithCodeInMessage()
    {
        using SqliteDatabase database = SqliteDatabase.Open(_path);
        database.Execute("CREATE TABLE t (x TEXT); PRAGMA max_page_count = 2;");

        var error = Assert.Throws<SqliteCallException>(() => database.Execute($"INSERT INTO t VALUES ('{new string('x', 64 * 1024)}')"))!;

        Assert.That(error.ResultCode, Is.EqualTo(SqliteCallException.Full));
        Assert.That(error.IsCorruption, Is.False);
        Assert.That(error.Message, Is.EqualTo("SQLite error 13 (database or disk is full)"));
    }

    [Test]
    public void Prepare_TwoStatements_ThrowsRatherThanDroppingOne()
    {
        using SqliteDatabase database = SqliteDatabase.Open(_path);

        Assert.Throws<ArgumentException>(() => database.Prepare("CREATE TABLE a (x); CREATE TABLE b (x);"));
        Assert.That(database.ScalarInt64("SELECT COUNT(*) FROM sqlite_master"), Is.Zero, "nothing ran");
    }

    [Test]
    public void Prepare_SyntaxError_ThrowsSqliteErrorWithSqliteMessage()
    {
        using SqliteDatabase database = SqliteDatabase.Open(_path);

        var error = Assert.Throws<SqliteCallException>(() => database.Prepare("SELEKT 1"))!;

        Assert.That(error.ResultCode, Is.EqualTo(1), "SQLITE_ERROR");
        Assert.That(error.Message, Does.StartWith("SQLite error 1 (SQL logic error): ").And.Contain("syntax error"));
    }

    [Test]
    public void ScalarInt64_NoRowOrNull_ZeroOrThrows()
    {
        using SqliteDatabase database = SqliteDatabase.Open(_path);
        database.Execute("CREATE TABLE t (x INTEGER)");

        Assert.That(database.ScalarInt64("SELECT x FROM t"), Is.Zero);
        Assert.Throws<InvalidOperationException>(() => database.ScalarInt64("SELECT MAX(x) FROM t"));
    }

    [Test]
    public void Dispose_StatementLeftOpen_FinalizesItAndReallyClosesTheFile()
    {
        SqliteDatabase database = SqliteDatabase.Open(_path);
        database.Execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);");
        SqliteStatement reading = database.Prepare("SELECT x FROM t");
        Assert.That(reading.Step(), Is.True, "precondition: the statement holds a read");
        Assert.That(OpenDescriptors(_path), Is.Not.Zero, "precondition: the file is open");

        database.Dispose();

        // A statement left unfinalized would keep the connection alive as a zombie, with the file still open.
        Assert.That(OpenDescriptors(_path), Is.Zero);
        Assert.Throws<ObjectDisposedException>(() => reading.Step());
        Assert.Throws<ObjectDisposedException>(() => database.Execute("SELECT 1"));
        Assert.DoesNotThrow(reading.Dispose);
    }

    [Test]
    public void BeginWrite_DisposedWithoutCommit_RollsBack()
    {
        using SqliteDatabase database = SqliteDatabase.Open(_path);
        database.Execute("CREATE TABLE t (x INTEGER)");

        using (SqliteTransaction transaction = database.BeginWrite())
        {
            database.Execute("INSERT INTO t VALUES (1)");
            Assert.That(database.InTransaction, Is.True);
        }

        using (SqliteTransaction transaction = database.BeginWrite())
        {
            database.Execute("INSERT INTO t VALUES (2)");
            transaction.Commit();
        }

        Assert.That(database.InTransaction, Is.False);
        Assert.That(database.ScalarInt64("SELECT COUNT(*) FROM t"), Is.EqualTo(1));
        Assert.That(database.ScalarInt64("SELECT x FROM t"), Is.EqualTo(2));
    }

    [Test]
    public void BeginWrite_AnotherConnectionWriting_TakesTheLockAtBeginAndFailsBusy()
    {
        using SqliteDatabase first = SqliteDatabase.Open(_path);
        first.Execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);");
        using SqliteDatabase second = SqliteDatabase.Open(_path);
        second.Execute("PRAGMA busy_timeout = 0");

        using SqliteTransaction holding = first.BeginWrite();
        var error = Assert.Throws<SqliteCallException>(() => second.BeginWrite())!;

        Assert.That(error.ResultCode, Is.EqualTo(5), "SQLITE_BUSY at BEGIN: IMMEDIATE, not deferred");
        Assert.That(second.InTransaction, Is.False);
    }

    [Test]
    public void BeginRead_AnotherConnectionCommits_ReadsOneSnapshotUntilTheEnd()
    {
        using SqliteDatabase reader = SqliteDatabase.Open(_path);
        reader.Execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        using SqliteDatabase writer = SqliteDatabase.Open(_path);

        using (SqliteTransaction snapshot = reader.BeginRead())
        {
            Assert.That(reader.ScalarInt64("SELECT COUNT(*) FROM t"), Is.EqualTo(1));
            writer.Execute("INSERT INTO t VALUES (2)");
            Assert.That(reader.ScalarInt64("SELECT COUNT(*) FROM t"), Is.EqualTo(1), "the snapshot taken at the first read");
        }

        Assert.That(reader.InTransaction, Is.False);
        Assert.That(reader.ScalarInt64("SELECT COUNT(*) FROM t"), Is.EqualTo(2));
    }

    private static int OpenDescriptors(string path)
    {
        int count = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                count += new FileInfo(fd).LinkTarget == path ? 1 : 0;
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        return count;
    }
}
