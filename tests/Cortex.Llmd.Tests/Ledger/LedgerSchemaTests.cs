using Cortex.Llm.V1;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
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
    public void Open_Version5WithRows_MigratesAndReadsBackIdentically()
    {
        // What today's store writes (reused ids become ID#2, ID#3) is the expectation...
        string current = Path.Combine(_dir, "current.db");
        RequestRecord[] rows = [.. Enumerable.Range(0, 60).Select(i => LedgerTestData.Row(i)), LedgerTestData.Row(3), LedgerTestData.Row(3)];
        using (LedgerStore store = LedgerTestData.Open(current))
        {
            store.Write(rows, storePrompts: true);
        }

        // ...and a version-5 file holds the same rows as a daemon of that version stored them.
        string old = Path.Combine(_dir, "v5.db");
        using (SqliteConnection connection = LedgerSql.Open(old))
        {
            LedgerSchema.Migrate(connection, 5);
            connection.Execute($"""
                ATTACH DATABASE '{current}' AS current;
                INSERT INTO requests ({LedgerRows.RequestColumns}) SELECT {LedgerRows.RequestColumns} FROM current.requests ORDER BY id;
                INSERT INTO attempts (request_id, seq, provider, model, outcome, reason, http_status, latency_us)
                    SELECT request_id, seq, provider, model, outcome, reason, http_status, latency_us FROM current.attempts;
                DETACH DATABASE current;
                """);
        }

        LedgerTestData.Open(old).Dispose();

        using SqliteConnection expected = LedgerSql.Open(current);
        using SqliteConnection actual = LedgerSql.Open(old);
        Assert.That(LedgerSchema.UserVersion(actual), Is.EqualTo(LedgerSchema.LatestVersion));
        string[] ids = [.. LedgerTestData.StoredRequestIds(current)];
        Assert.That(ids, Has.Length.EqualTo(rows.Length).And.Contains("req_00003#3"));
        Assert.That(actual.ScalarInt64("SELECT COUNT(*) FROM attempt_rows"), Is.EqualTo(rows.Sum(r => r.Attempts.Count)));
        foreach (string id in ids)
        {
            RequestRecord want = LedgerRows.Read(expected, id)!;
            RequestRecord? got = LedgerRows.Read(actual, id);
            Assert.That(got, Is.Not.Null, id);
            Assert.That(got! with { Attempts = want.Attempts, Labels = want.Labels }, Is.EqualTo(want), id);
            Assert.That(got.Attempts, Is.EqualTo(want.Attempts), id);
            Assert.That(got.Labels, Is.EquivalentTo(want.Labels), id);
        }

        foreach (GroupBy groupBy in Enum.GetValues<GroupBy>())
        {
            Assert.That(
                LedgerStatsQuery.Groups(actual, null, 0, long.MaxValue, null, groupBy),
                Is.EqualTo(LedgerStatsQuery.Groups(expected, null, 0, long.MaxValue, null, groupBy)), groupBy.ToString());
        }
    }

    [Test]
    public void Open_Version6WithRows_ReadsEveryOldRowAsGrpcAndStoresNewDoors()
    {
        // A version-6 file with the rows a daemon of that version stored (it knew only the gRPC door).
        string current = Path.Combine(_dir, "current.db");
        RequestRecord[] rows = [.. Enumerable.Range(0, 20).Select(i => LedgerTestData.Row(i))];
        using (LedgerStore store = LedgerTestData.Open(current))
        {
            store.Write(rows, storePrompts: true);
        }

        string old = Path.Combine(_dir, "v6.db");
        using (SqliteConnection connection = LedgerSql.Open(old))
        {
            LedgerSchema.Migrate(connection, 6);
            connection.Execute($"""
                ATTACH DATABASE '{current}' AS current;
                INSERT INTO requests (id, {LedgerRows.RequestColumns}) SELECT id, {LedgerRows.RequestColumns} FROM current.requests ORDER BY id;
                INSERT INTO attempt_rows SELECT * FROM current.attempt_rows;
                DETACH DATABASE current;
                """);
        }

        using LedgerStore migrated = LedgerTestData.Open(old);
        migrated.Write([LedgerTestData.Row(20) with { Door = FrontDoors.OpenAi }], storePrompts: false);

        using SqliteConnection actual = migrated.OpenConnection();
        Assert.That(LedgerSchema.UserVersion(actual), Is.EqualTo(7));
        Assert.That(actual.ScalarInt64("SELECT COUNT(*) FROM requests WHERE door = 'grpc' AND door_if_not_grpc IS NULL"), Is.EqualTo(rows.Length));
        foreach (RequestRecord row in rows)
        {
            RequestRecord? got = LedgerRows.Read(actual, row.RequestId);
            Assert.That(got, Is.Not.Null, row.RequestId);
            Assert.That(got!.Door, Is.EqualTo(FrontDoors.Grpc), row.RequestId);
            Assert.That(got.Attempts, Is.EqualTo(row.Attempts), row.RequestId);
            Assert.That(got.Cost, Is.EqualTo(row.Cost), row.RequestId);
        }

        Assert.That(LedgerRows.Read(actual, "req_00020")!.Door, Is.EqualTo(FrontDoors.OpenAi));
        IReadOnlyList<StatsGroup> doors = LedgerStatsQuery.Groups(actual, null, 0, long.MaxValue, null, GroupBy.Door);
        Assert.That(doors.Select(g => (g.Key, g.Requests)), Is.EqualTo(new[] { ("grpc", (ulong)rows.Length), ("openai", 1UL) }));
        StatsGroup openAiOnly = LedgerStatsQuery.Total(actual, null, 0, long.MaxValue, new StatsFilter { Door = FrontDoors.OpenAi });
        Assert.That(openAiOnly.Requests, Is.EqualTo(1UL));
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
