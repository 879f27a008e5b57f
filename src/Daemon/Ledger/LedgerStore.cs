using System.Globalization;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The ledger's SQLite file: opening (integrity check, moving a corrupt file aside, migrations),
/// writing batches of rows, statistics windows and pruning. The long-lived write connection belongs
/// to the one writer task; every other use opens its own short-lived connection.
/// </summary>
public sealed class LedgerStore : IDisposable
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly SqliteConnection _connection;
    private readonly Action<SqliteConnection>? _onOpen;

    private LedgerStore(string path, SqliteConnection connection, Action<SqliteConnection>? onOpen)
    {
        Path = path;
        _connection = connection;
        _onOpen = onOpen;
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating when absent) the ledger at <paramref name="path"/>. A corrupt file is moved aside
    /// and a fresh one created. Throws when the file cannot be opened or written at all.
    /// </summary>
    /// <param name="onOpen">Test seam: runs on every new connection after the pragmas.</param>
    public static LedgerStore Open(string path, TimeProvider timeProvider, ILogger logger, Action<SqliteConnection>? onOpen = null)
    {
        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        SqliteConnection connection = Connect(path, onOpen);
        try
        {
            string? problem = IntegrityProblem(connection);
            if (problem is not null)
            {
                connection.Dispose();
                string aside = MoveAside(path, timeProvider.GetUtcNow());
                Log.LedgerCorruptMovedAside(logger, path, aside, problem);
                connection = Connect(path, onOpen);
            }

            LedgerSchema.Migrate(connection);
            var store = new LedgerStore(path, connection, onOpen);
            store.EnsureWindow(timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A new connection to the same file with the ledger's pragmas, for readers and maintenance.</summary>
    public SqliteConnection OpenConnection() => Connect(Path, _onOpen);

    /// <summary>Inserts every row (request and attempts) in one transaction: all are durable when this returns.</summary>
    public void Write(IReadOnlyList<RequestRecord> rows, bool storePrompts)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand request = LedgerRows.InsertRequest(_connection, transaction);
        using SqliteCommand attempt = LedgerRows.InsertAttempt(_connection, transaction);
        foreach (RequestRecord row in rows)
        {
            LedgerRows.Bind(request, row, storePrompts);
            string id = row.RequestId;
            for (int n = 2; request.ExecuteNonQuery() == 0; n++)
            {
                // A caller reused its request id (a retry, say): keep both rows, the later one as ID#2, ID#3...
                id = row.RequestId + "#" + n.ToString(CultureInfo.InvariantCulture);
                request.Parameters["$request_id"].Value = id;
            }

            for (int i = 0; i < row.Attempts.Count; i++)
            {
                LedgerRows.Bind(attempt, id, i, row.Attempts[i]);
                attempt.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>Start of the current statistics window (Unix ms).</summary>
    public long CurrentWindowStart()
    {
        using SqliteConnection connection = OpenConnection();
        return LedgerSchema.Scalar(connection, "SELECT COALESCE(MAX(started_ms), 0) FROM stats_windows");
    }

    /// <summary>Opens a new statistics window at <paramref name="nowMs"/> and returns the previous window's start.</summary>
    public long StartWindow(long nowMs)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteTransaction transaction = connection.BeginTransaction();
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(started_ms), 0) FROM stats_windows";
        long previous = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        command.CommandText = "INSERT INTO stats_windows (started_ms) VALUES ($started)";
        command.Parameters.AddWithValue("$started", nowMs);
        command.ExecuteNonQuery();
        transaction.Commit();
        return previous;
    }

    /// <summary>Deletes at most <paramref name="limit"/> requests older than the cutoff, with their attempts.</summary>
    public int Prune(long cutoffMs, int limit)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteTransaction transaction = connection.BeginTransaction();
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            CREATE TEMP TABLE IF NOT EXISTS prune_ids (request_id TEXT PRIMARY KEY);
            DELETE FROM prune_ids;
            INSERT INTO prune_ids SELECT request_id FROM requests WHERE time_ms < $cutoff ORDER BY time_ms LIMIT $limit;
            DELETE FROM attempts WHERE request_id IN (SELECT request_id FROM prune_ids);
            DELETE FROM requests WHERE request_id IN (SELECT request_id FROM prune_ids);
            SELECT COUNT(*) FROM prune_ids;
            """;
        command.Parameters.AddWithValue("$cutoff", cutoffMs);
        command.Parameters.AddWithValue("$limit", limit);
        int deleted = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        transaction.Commit();
        return deleted;
    }

    public void Dispose() => _connection.Dispose();

    private void EnsureWindow(long nowMs)
    {
        if (LedgerSchema.Scalar(_connection, "SELECT COUNT(*) FROM stats_windows") == 0)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO stats_windows (started_ms) VALUES ($started)";
            command.Parameters.AddWithValue("$started", nowMs);
            command.ExecuteNonQuery();
        }
    }

    private static SqliteConnection Connect(string path, Action<SqliteConnection>? onOpen)
    {
        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // a corrupt file must really be closed before it is moved aside
            DefaultTimeout = 30,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            // WAL: readers never block the writer. FULL: a commit survives power loss, which is the point.
            command.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
            command.ExecuteNonQuery();
            onOpen?.Invoke(connection);
            return connection;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
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
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            using SqliteDataReader reader = command.ExecuteReader();
            var problems = new List<string>();
            while (reader.Read() && problems.Count < 5)
            {
                problems.Add(reader.GetString(0));
            }

            return problems is ["ok"] ? null : string.Join("; ", problems);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
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
