using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Ledger;

/// <summary>
/// The ledger's directory is 0750 and its files 0640 whatever the umask: with storePrompts on, they hold
/// prompts and answers. The daemon test runs the daemon as a child started under umask 000.
/// </summary>
public class LedgerPermissionsTests
{
    private const UnixFileMode Dir0750 = (UnixFileMode)0b111_101_000;
    private const UnixFileMode File0640 = (UnixFileMode)0b110_100_000;

    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public void Open_NewDirectory_Is0750AndEveryFile0640()
    {
        string path = Path.Combine(_dir, "state", "cortex-llmd", "ledger.db");

        using (LedgerStore store = LedgerTestData.Open(path))
        {
            store.Write([LedgerTestData.Row(1)], storePrompts: true);

            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(path)!), Is.EqualTo(Dir0750));
            Assert.That(ModesOf(path), Is.EqualTo(new[] { File0640, File0640, File0640 }), "db, -wal, -shm");
        }
    }

    [Test]
    public void Open_ExistingWorldReadableFile_IsTightenedTo0640()
    {
        string path = Path.Combine(_dir, "ledger.db");
        using (LedgerTestData.Open(path))
        {
        }

        File.SetUnixFileMode(path, File0640 | UnixFileMode.OtherRead);

        using LedgerStore store = LedgerTestData.Open(path);

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(File0640));
    }

    [Test]
    public void Open_ExistingDirectory_KeepsItsMode()
    {
        // A configured path may sit in a shared directory: that directory's mode is not the ledger's to change.
        const UnixFileMode shared = (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit;
        string parent = Path.Combine(_dir, "shared");
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(parent, shared);

        using LedgerStore store = LedgerTestData.Open(Path.Combine(parent, "ledger.db"));

        Assert.That(File.GetUnixFileMode(parent), Is.EqualTo(shared));
    }

    [Test]
    public void Open_CorruptFile_MovedAsideFileIs0640()
    {
        string path = Path.Combine(_dir, "ledger.db");
        File.WriteAllBytes(path, [.. "SQLite format 3\0"u8, .. new byte[4096]]);
        File.SetUnixFileMode(path, File0640 | UnixFileMode.OtherRead);

        using LedgerStore store = LedgerTestData.Open(path);

        string aside = Directory.GetFiles(_dir, "ledger.db.corrupt-*").Single(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
        Assert.That(File.GetUnixFileMode(aside), Is.EqualTo(File0640));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(File0640));
    }

    [Test]
    public async Task Daemon_StartedUnderUmask000WithStorePrompts_LedgerIsNotWorldReadable()
    {
        string ledger = Path.Combine(_dir, "lib", "ledger.db");
        string socket = Path.Combine(_dir, "d.sock");
        string config = Path.Combine(_dir, "c.json");
        await File.WriteAllTextAsync(config, """
            {
              "providers": { "m": { "kind": "mock", "reply": "the private answer" } },
              "routes": { "r": { "targets": ["m/x"] } },
              "tasks": { "default": "r" },
              "ledger": { "storePrompts": true }
            }
            """);
        var environment = new Dictionary<string, string> { ["CORTEX_LLMD_LEDGER__PATH"] = ledger };

        // The shell sets the umask, then becomes the daemon: the daemon inherits umask 000.
        using DaemonProcess daemon = DaemonProcess.StartWith(["sh", "-c", "umask 000 && exec \"$@\"", "sh"], environment, "--config", config, "--socket", socket);
        await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(60));
        using (var client = new CortexLlmClient(socket))
        {
            await client.CompleteAsync(new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "the private prompt" } } });
        }

        await LedgerTestData.WaitUntilAsync(() => StoredPrompts(ledger) > 0, "the row with its prompt", 30_000);
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(ledger)!), Is.EqualTo(Dir0750));
        Assert.That(ModesOf(ledger), Has.All.EqualTo(File0640), "db, -wal, -shm: " + daemon.Stderr);
    }

    /// <summary>The modes of the database and of its -wal and -shm files (which exist while the daemon has it open).</summary>
    private static UnixFileMode[] ModesOf(string path) =>
        [.. new[] { path, path + "-wal", path + "-shm" }.Select(f => File.Exists(f) ? File.GetUnixFileMode(f) : UnixFileMode.None)];

    private static long StoredPrompts(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using SqliteCommand count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM requests WHERE prompt_text LIKE '%the private prompt%'";
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
