using Cortex.Llmd.Ledger;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerSchemaTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private static IEnumerable<int> EarlierVersions => Enumerable.Range(0, LedgerSchema.LatestVersion);

    [TestCaseSource(nameof(EarlierVersions))]
    public void Open_DatabaseAtEarlierVersion_MigratesToLatestAndKeepsRows(int version)
    {
        string path = Path.Combine(_dir, "ledger.db");
        using (SqliteConnection connection = LedgerSql.Open(path))
        {
            LedgerSchema.Migrate(connection, version);
            Assert.That(LedgerSchema.UserVersion(connection), Is.EqualTo(version), "precondition");
            if (version >= 1)
            {
                connection.Execute("""
                    INSERT INTO requests (request_id, time_ms, task, route, provider, model, status, attempts, fallbacks, input_tokens,
                        cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano_usd, priced, latency_us)
                    VALUES ('old', 1, 'userChat', 'r', 'p', 'm', 'OK', 1, 0, 1, 2, 3, 4, 5, 6, 1, 7)
                    """);
            }
        }

        using LedgerStore store = LedgerTestData.Open(path);
        using SqliteConnection check = store.OpenConnection();

        Assert.That(LedgerSchema.UserVersion(check), Is.EqualTo(LedgerSchema.LatestVersion));
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('requests', 'attempt_rows', 'stats_windows')"), Is.EqualTo(3));
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM sqlite_master WHERE type = 'view' AND name = 'attempts'"), Is.EqualTo(1));
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'requests_%'"), Is.EqualTo(1), "requests_time only");
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM requests WHERE request_id = 'old'"), Is.EqualTo(version >= 1 ? 1 : 0));
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM stats_windows"), Is.EqualTo(1), "a first window is opened");
    }

    [Test]
    public void Migrate_EachStep_RunsInItsOwnTransactionAndSetsVersion()
    {
        using SqliteConnection connection = LedgerSql.Open(":memory:");
        for (int n = 1; n <= LedgerSchema.LatestVersion; n++)
        {
            LedgerSchema.Migrate(connection, n);
            Assert.That(LedgerSchema.UserVersion(connection), Is.EqualTo(n));
        }

        Assert.DoesNotThrow(() => LedgerSchema.Migrate(connection), "running again is a no-op");
    }

    [Test]
    public void Open_NewerSchemaVersion_RefusesAndLeavesFileAlone()
    {
        string path = Path.Combine(_dir, "ledger.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        Assert.Throws<LedgerVersionException>(() => LedgerTestData.Open(path));
        Assert.That(Directory.GetFiles(_dir, "*.corrupt-*"), Is.Empty);
    }

    [Test]
    public void Open_NewFile_UsesWalAndNormalSync()
    {
        using LedgerStore store = LedgerTestData.Open(Path.Combine(_dir, "ledger.db"));
        using SqliteConnection connection = store.OpenConnection();
        using SqliteCommand journal = connection.Command("PRAGMA journal_mode");
        Assert.That(journal.ExecuteScalar(), Is.EqualTo("wal"));
        Assert.That(connection.ScalarInt64("PRAGMA synchronous"), Is.EqualTo(1), "NORMAL: the default durability is crash");
        Assert.That(connection.ScalarInt64("PRAGMA busy_timeout"), Is.EqualTo(5000));
    }
}
