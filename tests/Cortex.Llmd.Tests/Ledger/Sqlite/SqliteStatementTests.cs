using Cortex.Llmd.Ledger.Sqlite;

namespace Cortex.Llmd.Tests.Ledger.Sqlite;

public class SqliteStatementTests
{
    private SqliteDatabase _database = null!;

    [SetUp]
    public void OpenDatabase()
    {
        _database = SqliteDatabase.Open(":memory:");
        _database.Execute("CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, i INTEGER, s TEXT, d REAL)");
    }

    [TearDown]
    public void CloseDatabase() => _database.Dispose();

    [TestCase(long.MaxValue, "ü €😀 \"quoted\"", 1.5e-300)]
    [TestCase(long.MinValue, "", -0.25)]
    [TestCase(0L, "plain", 0.0)]
    public void Bind_ValuesOfEachType_ReadBackExactly(long number, string text, double real)
    {
        using (SqliteStatement insert = _database.Prepare("INSERT INTO t (id, i, s, d) VALUES ($id, $i, $s, $d)"))
        {
            insert.Bind("$id", "a");
            insert.Bind("$i", number);
            insert.Bind("$s", text);
            insert.Bind("$d", real);
            Assert.That(insert.Execute(), Is.EqualTo(1));
        }

        using SqliteStatement select = _database.Prepare("SELECT i, s, d, typeof(i), typeof(s) FROM t");

        Assert.That(select.Step(), Is.True);
        Assert.That((select.GetInt64(0), select.GetString(1), select.GetDouble(2)), Is.EqualTo((number, text, real)));
        Assert.That((select.GetString(3), select.GetString(4)), Is.EqualTo(("integer", "text")), "an empty string stays text, not NULL");
        Assert.That(select.IsNull(1), Is.False);
        Assert.That(select.Step(), Is.False);
    }

    [Test]
    public void Bind_NullValues_StoreNullAndReadAsNull()
    {
        using (SqliteStatement insert = _database.Prepare("INSERT INTO t (id, i, s, d) VALUES ($id, $i, $s, $d)"))
        {
            insert.Bind("$id", "a");
            insert.Bind("$i", (long?)null);
            insert.Bind("$s", (string?)null);
            insert.BindNull("$d");
            insert.Execute();
        }

        using SqliteStatement select = _database.Prepare("SELECT i, s, d FROM t");
        Assert.That(select.Step(), Is.True);

        Assert.That(new[] { select.IsNull(0), select.IsNull(1), select.IsNull(2) }, Is.All.True);
        Assert.Throws<InvalidOperationException>(() => select.GetInt64(0), "NULL is not silently 0");
        Assert.Throws<InvalidOperationException>(() => select.GetString(1), "NULL is not silently empty");
    }

    [Test]
    public void Bind_UnknownParameterName_ThrowsNamingIt()
    {
        using SqliteStatement insert = _database.Prepare("INSERT INTO t (id) VALUES ($id)");

        var error = Assert.Throws<ArgumentException>(() => insert.Bind("$ids", "a"))!;

        Assert.That(error.Message, Does.Contain("$ids"));
    }

    [Test]
    public void Execute_PrimaryKeyViolation_ThrowsConstraintAndStatementStaysUsable()
    {
        using SqliteStatement insert = _database.Prepare("INSERT INTO t (id, i) VALUES ($id, $i)");
        insert.Bind("$id", "a");
        insert.Bind("$i", 1);
        insert.Execute();

        var error = Assert.Throws<SqliteCallException>(() => insert.Execute())!;
        insert.Reset();
        insert.Bind("$id", "b");

        Assert.That(error.ResultCode, Is.EqualTo(SqliteCallException.Constraint));
        Assert.That(error.ExtendedCode, Is.EqualTo(1555), "SQLITE_CONSTRAINT_PRIMARYKEY");
        Assert.That(error.Message, Is.EqualTo("SQLite error 19 (constraint failed): UNIQUE constraint failed: t.id"));
        Assert.That(insert.Execute(), Is.EqualTo(1), "the failed statement was reset and runs again");
        Assert.That(_database.ScalarInt64("SELECT COUNT(*) FROM t WHERE i = 1"), Is.EqualTo(2), "$i kept its binding");
    }

    [Test]
    public void Execute_OnConflictDoNothing_ReturnsZeroChanges()
    {
        using SqliteStatement insert = _database.Prepare("INSERT INTO t (id) VALUES ($id) ON CONFLICT (id) DO NOTHING");
        insert.Bind("$id", "a");

        Assert.That((insert.Execute(), insert.Execute()), Is.EqualTo((1, 0)));
    }

    [Test]
    public void Reset_AfterReadingRows_RunsAgainWithNewBinding()
    {
        using SqliteStatement twice = _database.Prepare("SELECT $x * 2");
        twice.Bind("$x", 21);
        Assert.That(twice.Step(), Is.True);
        Assert.That(twice.GetInt64(0), Is.EqualTo(42));

        twice.Reset();
        twice.Bind("$x", 5);

        Assert.That(twice.Step(), Is.True);
        Assert.That(twice.GetInt64(0), Is.EqualTo(10));
    }

    [Test]
    public void ClearBindings_AfterBinding_LeavesParametersNull()
    {
        using SqliteStatement echo = _database.Prepare("SELECT $x");
        echo.Bind("$x", 3);
        echo.ClearBindings();

        Assert.That(echo.Step(), Is.True);
        Assert.That(echo.IsNull(0), Is.True);
    }

    [Test]
    public void GetInt64_BeforeStepOrOutOfRange_Throws()
    {
        using SqliteStatement select = _database.Prepare("SELECT 1");

        Assert.Throws<InvalidOperationException>(() => select.GetInt64(0), "no row yet");
        Assert.That(select.Step(), Is.True);
        Assert.Throws<ArgumentOutOfRangeException>(() => select.GetInt64(1));
        Assert.That(select.Step(), Is.False);
        Assert.Throws<InvalidOperationException>(() => select.GetInt64(0), "past the last row");
    }

    [Test]
    public void Dispose_Twice_IsHarmlessAndUseAfterwardsThrows()
    {
        SqliteStatement select = _database.Prepare("SELECT 1");

        select.Dispose();
        select.Dispose();

        Assert.Throws<ObjectDisposedException>(() => select.Step());
    }
}
