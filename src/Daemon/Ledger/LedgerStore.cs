using System.Globalization;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The ledger's SQLite file: opening (integrity check, moving a corrupt file aside, migrations) and
/// writing batches of rows. The long-lived write connection belongs to the one writer task; every other
/// use (statistics, spend, breakers, retention) opens its own short-lived connection.
/// </summary>
public sealed class LedgerStore : IDisposable
{
    internal const string CurrentWindowSql = "SELECT COALESCE(MAX(started_ms), 0) FROM stats_windows";

    private readonly SqliteConnection _connection;
    private readonly LedgerWriteCommands _commands;
    private readonly Action<SqliteConnection>? _onOpen;
    private readonly LedgerDurability _durability;

    private LedgerStore(string path, SqliteConnection connection, Action<SqliteConnection>? onOpen, LedgerDurability durability)
    {
        Path = path;
        _connection = connection;
        _onOpen = onOpen;
        _durability = durability;
        _commands = new LedgerWriteCommands(connection); // after the migrations: the statements name the latest tables
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating when absent) the ledger at <paramref name="path"/>. A corrupt file is moved aside
    /// and a fresh one created. Throws when the file cannot be opened or written at all.
    /// </summary>
    /// <param name="onOpen">Test seam: runs on every new connection after the pragmas.</param>
    /// <param name="durability">Sets <c>synchronous</c> on this and every later connection.</param>
    public static LedgerStore Open(
        string path, TimeProvider timeProvider, ILogger logger, Action<SqliteConnection>? onOpen = null, LedgerDurability durability = LedgerDurability.Crash)
    {
        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            LedgerFiles.EnsureDirectory(directory);
        }

        LedgerFiles.EnsureDatabase(path);
        SqliteConnection connection = Connect(path, durability, onOpen);
        try
        {
            string? problem = IntegrityProblem(connection);
            if (problem is not null)
            {
                connection.Dispose(); // closes the file (no pool) before it is renamed
                string aside = MoveAside(path, timeProvider.GetUtcNow());
                Log.LedgerCorruptMovedAside(logger, path, aside, problem);
                LedgerFiles.EnsureDatabase(path);
                connection = Connect(path, durability, onOpen);
            }

            LedgerSchema.Migrate(connection);
            // The file may predate explicit modes, and the migration has now created the WAL files.
            LedgerFiles.Restrict(path);
            var store = new LedgerStore(path, connection, onOpen, durability);
            try
            {
                store.EnsureWindow(timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            }
            catch
            {
                store._commands.Dispose();
                throw;
            }

            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A new connection to the same file with the ledger's pragmas, for readers and maintenance.</summary>
    public SqliteConnection OpenConnection() => Connect(Path, _durability, _onOpen);

    /// <summary>Inserts every row (request and attempts) in one transaction: all are committed when this returns.</summary>
    public void Write(IReadOnlyList<RequestRecord> rows, bool storePrompts)
    {
        _commands.Begin();
        try
        {
            for (int r = 0; r < rows.Count; r++)
            {
                RequestRecord row = rows[r];
                long request = _commands.InsertRequest(row, storePrompts);
                for (int i = 0; i < row.Attempts.Count; i++)
                {
                    _commands.InsertAttempt(request, i, row.Attempts[i]);
                }
            }

            _commands.Commit();
        }
        catch
        {
            _commands.Rollback(); // a batch that fails is rolled back whole
            throw;
        }
    }

    public void Dispose()
    {
        _commands.Dispose();
        _connection.Dispose();
    }

    private void EnsureWindow(long nowMs)
    {
        if (_connection.ScalarInt64("SELECT COUNT(*) FROM stats_windows") == 0)
        {
            InsertWindow(_connection, null, nowMs);
        }
    }

    /// <summary>Opens a statistics window starting at <paramref name="startedMs"/>.</summary>
    internal static void InsertWindow(SqliteConnection connection, SqliteTransaction? transaction, long startedMs)
    {
        using SqliteCommand insert = connection.Command("INSERT INTO stats_windows (started_ms) VALUES ($started)", transaction);
        insert.Bind("$started", startedMs);
        insert.ExecuteNonQuery();
    }

    private static SqliteConnection Connect(string path, LedgerDurability durability, Action<SqliteConnection>? onOpen)
    {
        SqliteConnection connection = LedgerSql.Open(path);
        try
        {
            LedgerSql.ApplyPragmas(connection, durability);
            onOpen?.Invoke(connection);
            return connection;
        }
        catch (SqliteException ex) when (ex.IsCorruption())
        {
            // The pragmas already read the header: report corruption through the integrity check path.
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Null when the file is sound, else what SQLite said about it.</summary>
    private static string? IntegrityProblem(SqliteConnection connection)
    {
        try
        {
            using SqliteCommand check = connection.Command("PRAGMA integrity_check");
            using SqliteDataReader reader = check.ExecuteReader();
            var problems = new List<string>();
            while (problems.Count < 5 && reader.Read())
            {
                problems.Add(reader.GetString(0));
            }

            return problems is ["ok"] ? null : string.Join("; ", problems);
        }
        catch (SqliteException ex) when (ex.IsCorruption())
        {
            return ex.Message;
        }
    }

    /// <summary>Renames the file and its WAL and shared-memory files to <c>NAME.corrupt-TIMESTAMP</c>.</summary>
    private static string MoveAside(string path, DateTimeOffset now)
    {
        string aside = path + ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (int n = 1; File.Exists(aside); n++)
        {
            aside = path + ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + n.ToString(CultureInfo.InvariantCulture);
        }

        File.Move(path, aside);
        foreach (string suffix in (string[])["-wal", "-shm"])
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix);
            }
        }

        // A corrupt ledger still holds whatever prompts it stored.
        LedgerFiles.Restrict(aside);
        return aside;
    }
}
