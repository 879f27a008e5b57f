using System.Globalization;
using Cortex.Llmd.Ledger.Sqlite;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Stats;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The ledger's SQLite file: opening (integrity check, moving a corrupt file aside, migrations),
/// writing batches of rows, statistics windows and pruning. The long-lived write connection belongs
/// to the one writer task; every other use opens its own short-lived connection.
/// </summary>
public sealed class LedgerStore : IDisposable
{
    internal const string CurrentWindowSql = "SELECT COALESCE(MAX(started_ms), 0) FROM stats_windows";

    private readonly SqliteDatabase _database;
    private readonly Action<SqliteDatabase>? _onOpen;

    private LedgerStore(string path, SqliteDatabase database, Action<SqliteDatabase>? onOpen)
    {
        Path = path;
        _database = database;
        _onOpen = onOpen;
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating when absent) the ledger at <paramref name="path"/>. A corrupt file is moved aside
    /// and a fresh one created. Throws when the file cannot be opened or written at all.
    /// </summary>
    /// <param name="onOpen">Test seam: runs on every new connection after the pragmas.</param>
    public static LedgerStore Open(string path, TimeProvider timeProvider, ILogger logger, Action<SqliteDatabase>? onOpen = null)
    {
        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        SqliteDatabase database = Connect(path, onOpen);
        try
        {
            string? problem = IntegrityProblem(database);
            if (problem is not null)
            {
                database.Dispose();
                string aside = MoveAside(path, timeProvider.GetUtcNow());
                Log.LedgerCorruptMovedAside(logger, path, aside, problem);
                database = Connect(path, onOpen);
            }

            LedgerSchema.Migrate(database);
            var store = new LedgerStore(path, database, onOpen);
            store.EnsureWindow(timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return store;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>A new connection to the same file with the ledger's pragmas, for readers and maintenance.</summary>
    public SqliteDatabase OpenConnection() => Connect(Path, _onOpen);

    /// <summary>Inserts every row (request and attempts) in one transaction: all are durable when this returns.</summary>
    public void Write(IReadOnlyList<RequestRecord> rows, bool storePrompts)
    {
        using SqliteTransaction transaction = _database.BeginWrite();
        using SqliteStatement request = LedgerRows.InsertRequest(_database);
        using SqliteStatement attempt = LedgerRows.InsertAttempt(_database);
        foreach (RequestRecord row in rows)
        {
            LedgerRows.Bind(request, row, storePrompts);
            string id = row.RequestId;
            for (int n = 2; request.Execute() == 0; n++)
            {
                // A caller reused its request id (a retry, say): keep both rows, the later one as ID#2, ID#3...
                id = row.RequestId + "#" + n.ToString(CultureInfo.InvariantCulture);
                request.Bind("$request_id", id);
            }

            for (int i = 0; i < row.Attempts.Count; i++)
            {
                LedgerRows.Bind(attempt, id, i, row.Attempts[i]);
                attempt.Execute();
            }
        }

        transaction.Commit();
    }

    /// <summary>Opens a new statistics window at <paramref name="nowMs"/> and returns the previous window's start.</summary>
    public long StartWindow(long nowMs)
    {
        using SqliteDatabase database = OpenConnection();
        using SqliteTransaction transaction = database.BeginWrite();
        long previous = database.ScalarInt64(CurrentWindowSql);
        InsertWindow(database, nowMs);
        transaction.Commit();
        return previous;
    }

    /// <summary>Deletes at most <paramref name="limit"/> requests older than the cutoff, with their attempts.</summary>
    public int Prune(long cutoffMs, int limit)
    {
        using SqliteDatabase database = OpenConnection();
        using SqliteTransaction transaction = database.BeginWrite();
        database.Execute("CREATE TEMP TABLE IF NOT EXISTS prune_ids (request_id TEXT PRIMARY KEY); DELETE FROM prune_ids;");
        using (SqliteStatement select = database.Prepare(
            "INSERT INTO prune_ids SELECT request_id FROM requests WHERE time_ms < $cutoff ORDER BY time_ms LIMIT $limit"))
        {
            select.Bind("$cutoff", cutoffMs);
            select.Bind("$limit", limit);
            select.Execute();
        }

        database.Execute("""
            DELETE FROM attempts WHERE request_id IN (SELECT request_id FROM prune_ids);
            DELETE FROM requests WHERE request_id IN (SELECT request_id FROM prune_ids);
            """);
        int deleted = (int)database.ScalarInt64("SELECT COUNT(*) FROM prune_ids");
        transaction.Commit();
        return deleted;
    }

    public void Dispose() => _database.Dispose();

    private void EnsureWindow(long nowMs)
    {
        if (_database.ScalarInt64("SELECT COUNT(*) FROM stats_windows") == 0)
        {
            InsertWindow(_database, nowMs);
        }
    }

    private static void InsertWindow(SqliteDatabase database, long startedMs)
    {
        using SqliteStatement insert = database.Prepare("INSERT INTO stats_windows (started_ms) VALUES ($started)");
        insert.Bind("$started", startedMs);
        insert.Execute();
    }

    private static SqliteDatabase Connect(string path, Action<SqliteDatabase>? onOpen)
    {
        // No pool: disposing really closes the file, which a corrupt one needs before it is moved aside.
        SqliteDatabase database = SqliteDatabase.Open(path);
        try
        {
            // WAL: readers never block the writer. FULL: a commit survives power loss, which is the point.
            database.Execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            onOpen?.Invoke(database);
            return database;
        }
        catch (SqliteCallException ex) when (ex.IsCorruption)
        {
            // The pragmas already read the header: report corruption through the integrity check path.
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Null when the file is sound, else what SQLite said about it.</summary>
    private static string? IntegrityProblem(SqliteDatabase database)
    {
        try
        {
            using SqliteStatement check = database.Prepare("PRAGMA integrity_check");
            var problems = new List<string>();
            while (check.Step() && problems.Count < 5)
            {
                problems.Add(check.GetString(0));
            }

            return problems is ["ok"] ? null : string.Join("; ", problems);
        }
        catch (SqliteCallException ex) when (ex.IsCorruption)
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

        return aside;
    }
}
