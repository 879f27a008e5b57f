using Cortex.Llm.V1;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerStoreTests
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
    public void Write_RowsWithPrompts_RoundTripEveryColumnExactly()
    {
        RequestRecord[] rows =
        [
            .. Enumerable.Range(0, 30).Select(i => LedgerTestData.Row(i)),
            LedgerTestData.Row(30) with { Caller = Cortex.Llmd.Callers.CallerInfo.Unknown, Ttft = null, PromptText = null }, // NULL columns
            LedgerTestData.Row(31) with { Door = FrontDoors.OpenAi },
        ];
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write(rows, storePrompts: true);

        using SqliteConnection connection = store.OpenConnection();
        foreach (RequestRecord expected in rows)
        {
            RequestRecord? actual = LedgerRows.Read(connection, expected.RequestId);
            Assert.That(actual, Is.Not.Null);
            Assert.That(actual! with { Attempts = Array.Empty<Attempt>(), Labels = expected.Labels }, Is.EqualTo(expected with { Attempts = Array.Empty<Attempt>() }), expected.RequestId);
            Assert.That(actual.Attempts, Is.EqualTo(expected.Attempts));
            Assert.That(actual.Labels, Is.EquivalentTo(expected.Labels));
            Assert.That(actual.Cost.NanoUsd, Is.EqualTo(expected.Cost.NanoUsd), "integer nano-USD");
        }
    }

    [Test]
    public void Write_RequestsOfBothDoors_StoresNullForGrpcAndReadsBothByName()
    {
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write([LedgerTestData.Row(1), LedgerTestData.Row(2) with { Door = FrontDoors.OpenAi }], storePrompts: false);

        using SqliteConnection connection = store.OpenConnection();
        using SqliteCommand command = connection.Command("SELECT request_id, door_if_not_grpc, door FROM requests ORDER BY request_id");
        using SqliteDataReader rows = command.ExecuteReader();
        var stored = new List<(string, string?, string)>();
        while (rows.Read())
        {
            stored.Add((rows.GetString(0), rows.IsDBNull(1) ? null : rows.GetString(1), rows.GetString(2)));
        }

        Assert.That(stored, Is.EqualTo(new (string, string?, string)[] { ("req_00001", null, "grpc"), ("req_00002", "openai", "openai") }));
        Assert.That(LedgerRows.Read(connection, "req_00001")!.Door, Is.EqualTo(FrontDoors.Grpc));
        Assert.That(LedgerRows.Read(connection, "req_00002")!.Door, Is.EqualTo(FrontDoors.OpenAi));
    }

    [Test]
    public void Write_StorePromptsFalse_StoresNoText()
    {
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write([LedgerTestData.Row(1)], storePrompts: false);

        using SqliteConnection connection = store.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests WHERE prompt_text IS NULL AND answer_text IS NULL"), Is.EqualTo(1));
        RequestRecord? row = LedgerRows.Read(connection, "req_00001");
        Assert.That(row!.PromptText, Is.Null);
        Assert.That(row.AnswerText, Is.Null);
    }

    [Test]
    public void Write_StorePromptsTrue_StoresPromptAndAnswer()
    {
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write([LedgerTestData.Row(1)], storePrompts: true);

        using SqliteConnection connection = store.OpenConnection();
        RequestRecord? row = LedgerRows.Read(connection, "req_00001");
        Assert.That(row!.PromptText, Is.EqualTo("prompt 1"));
        Assert.That(row.AnswerText, Is.EqualTo("answer 1"));
    }

    [Test]
    public void Write_RepeatedRequestId_KeepsBothRowsWithSuffix()
    {
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write([LedgerTestData.Row(3), LedgerTestData.Row(3)], storePrompts: false);
        store.Write([LedgerTestData.Row(3)], storePrompts: false);

        using SqliteConnection connection = store.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests WHERE request_id IN ('req_00003', 'req_00003#2', 'req_00003#3')"), Is.EqualTo(3));
        Assert.That(LedgerRows.Read(connection, "req_00003#3")!.Attempts, Has.Count.EqualTo(LedgerTestData.Row(3).Attempts.Count));
    }

    [Test]
    public void Open_GarbageFile_IsMovedAsideAndFreshLedgerWorks()
    {
        byte[] garbage = [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 % 251))];
        File.WriteAllBytes(_path, garbage);

        using LedgerStore store = LedgerTestData.Open(_path);
        store.Write([LedgerTestData.Row(1)], storePrompts: false);

        string[] aside = Directory.GetFiles(_dir, "ledger.db.corrupt-*");
        Assert.That(aside.Select(Path.GetFileName), Is.EquivalentTo(new[] { "ledger.db.corrupt-20261121T120000Z" }));
        Assert.That(File.ReadAllBytes(_dir + "/ledger.db.corrupt-20261121T120000Z"), Is.EqualTo(garbage), "the evidence is kept intact");
        using SqliteConnection connection = store.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(1));
    }

    [Test]
    public void Open_DamagedPages_FailsIntegrityCheckAndIsMovedAside()
    {
        using (LedgerStore store = LedgerTestData.Open(_path))
        {
            store.Write([.. Enumerable.Range(0, 300).Select(i => LedgerTestData.Row(i))], storePrompts: true);
            using SqliteConnection connection = store.OpenConnection();
            connection.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        // Keep the valid header (first page) and overwrite the pages after it.
        using (FileStream file = File.Open(_path, FileMode.Open))
        {
            file.Position = 4096;
            file.Write([.. Enumerable.Repeat((byte)0xA5, 16 * 4096)]);
        }

        using LedgerStore fresh = LedgerTestData.Open(_path);

        Assert.That(Directory.GetFiles(_dir, "ledger.db.corrupt-*"), Is.Not.Empty);
        using SqliteConnection check = fresh.OpenConnection();
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.Zero);
    }

    [Test]
    public void Write_RowFailsMidBatch_NothingOfTheBatchIsCommitted()
    {
        string failing = LedgerTestData.Row(2).RequestId;
        LedgerTestData.Open(_path).Dispose(); // the tables exist before the trigger is made on the next open
        using LedgerStore store = LedgerStore.Open(
            _path, new ManualTimeProvider(LedgerTestData.Start), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            connection => connection.Execute($"CREATE TEMP TRIGGER fail BEFORE INSERT ON requests WHEN NEW.request_id = '{failing}' BEGIN SELECT RAISE(ABORT, 'refused'); END"));

        Assert.Throws<SqliteException>(() => store.Write([.. Enumerable.Range(0, 4).Select(i => LedgerTestData.Row(i))], storePrompts: false));
        store.Write([LedgerTestData.Row(5)], storePrompts: false);

        using SqliteConnection connection = store.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(1), "the failed batch rolled back whole; the next one committed");
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM attempts WHERE request_id = 'req_00000'"), Is.Zero);
    }

    [Test]
    public void Dispose_AfterWritesAndReads_NoDescriptorOfTheFileStaysOpen()
    {
        LedgerStore store = LedgerTestData.Open(_path);
        store.Write([LedgerTestData.Row(1)], storePrompts: false);
        using (SqliteConnection reader = store.OpenConnection())
        {
            Assert.That(LedgerRows.Read(reader, "req_00001"), Is.Not.Null);
        }

        Assert.That(OpenDescriptors(_path), Is.Not.Zero, "precondition: the writer's connection holds the file");

        store.Dispose();

        // No pool: a pooled connection would keep the file open after Dispose, which a corrupt ledger being
        // moved aside or a disk being reopened after a failure cannot have.
        Assert.That(OpenDescriptors(_path), Is.Zero);
    }

    internal static int OpenDescriptors(string path)
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
