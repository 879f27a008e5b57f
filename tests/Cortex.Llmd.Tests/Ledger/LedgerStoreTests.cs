using Cortex.Llm.V1;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Ledger.Sqlite;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;

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
        RequestRecord[] rows = [.. Enumerable.Range(0, 30).Select(i => LedgerTestData.Row(i))];
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write(rows, storePrompts: true);

        using SqliteDatabase connection = store.OpenConnection();
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
    public void Write_StorePromptsFalse_StoresNoText()
    {
        using LedgerStore store = LedgerTestData.Open(_path);

        store.Write([LedgerTestData.Row(1)], storePrompts: false);

        using SqliteDatabase connection = store.OpenConnection();
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

        using SqliteDatabase connection = store.OpenConnection();
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

        using SqliteDatabase connection = store.OpenConnection();
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
        using SqliteDatabase connection = store.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(1));
    }

    [Test]
    public void Open_DamagedPages_FailsIntegrityCheckAndIsMovedAside()
    {
        using (LedgerStore store = LedgerTestData.Open(_path))
        {
            store.Write([.. Enumerable.Range(0, 300).Select(i => LedgerTestData.Row(i))], storePrompts: true);
            using SqliteDatabase connection = store.OpenConnection();
            connection.ScalarInt64("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        // Keep the valid header (first page) and overwrite the pages after it.
        using (FileStream file = File.Open(_path, FileMode.Open))
        {
            file.Position = 4096;
            file.Write([.. Enumerable.Repeat((byte)0xA5, 16 * 4096)]);
        }

        using LedgerStore fresh = LedgerTestData.Open(_path);

        Assert.That(Directory.GetFiles(_dir, "ledger.db.corrupt-*"), Is.Not.Empty);
        using SqliteDatabase check = fresh.OpenConnection();
        Assert.That(check.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.Zero);
    }

    [Test]
    public void Prune_RowsOlderThanCutoff_DeletesThemAndTheirAttemptsInBatches()
    {
        using LedgerStore store = LedgerTestData.Open(_path);
        store.Write([.. Enumerable.Range(0, 1200).Select(i => LedgerTestData.Row(i))], storePrompts: false);
        long cutoff = LedgerTestData.Start.AddMilliseconds(1100 * 1000).ToUnixTimeMilliseconds();

        int first = store.Prune(cutoff, 500);
        int second = store.Prune(cutoff, 500);
        int third = store.Prune(cutoff, 500);

        Assert.That((first, second, third), Is.EqualTo((500, 500, 100)));
        using SqliteDatabase connection = store.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT MIN(time_ms) FROM requests"), Is.EqualTo(cutoff));
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM attempts WHERE request_id NOT IN (SELECT request_id FROM requests)"), Is.Zero);
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM requests"), Is.EqualTo(100));
    }
}
