using SQLitePCL;

namespace Cortex.Llmd.Ledger.Sqlite;

/// <summary>
/// One connection to a SQLite file through SQLitePCLRaw's raw API. The daemon talks to SQLite through
/// this small wrapper rather than Microsoft.Data.Sqlite, which would load System.Data.Common, regular
/// expressions and type converters into a process that is meant to stay small.
/// Like any SQLite connection it is used by one thread at a time. There is no pool: disposing closes the
/// file for real, which a corrupt ledger needs before it is moved aside.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly sqlite3 _handle;
    private readonly Lock _gate = new();
    private readonly HashSet<SqliteStatement> _statements = [];
    private bool _disposed;

    private SqliteDatabase(sqlite3 handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>True between BEGIN and COMMIT/ROLLBACK, including after SQLite rolled back on its own.</summary>
    public bool InTransaction => raw.sqlite3_get_autocommit(Handle) == 0;

    internal sqlite3 Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _handle;
        }
    }

    /// <summary>Opens <paramref name="path"/> for reading and writing, creating it when absent (":memory:" works too).</summary>
    public static SqliteDatabase Open(string path)
    {
        SqliteLibrary.EnsureLoaded();
        int rc = raw.sqlite3_open_v2(path, out sqlite3 handle, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE, null);
        if (rc != raw.SQLITE_OK)
        {
            // A failed open still hands back a handle, carrying the message; it must be closed all the same.
            SqliteCallException error = SqliteCallException.From(handle, rc);
            if (handle is not null)
            {
                raw.sqlite3_close_v2(handle);
            }

            throw error;
        }

        return new SqliteDatabase(handle, path);
    }

    /// <summary>Runs one or more statements without parameters or results: pragmas, DDL, BEGIN/COMMIT.</summary>
    public void Execute(string sql)
    {
        sqlite3 handle = Handle;
        int rc = raw.sqlite3_exec(handle, sql);
        if (rc != raw.SQLITE_OK)
        {
            throw SqliteCallException.From(handle, rc);
        }
    }

    /// <summary>
    /// Compiles exactly one statement. More than one is refused: the rest would silently never run.
    /// The statement must be disposed; whatever is still open when the database is disposed is finalized then.
    /// </summary>
    public SqliteStatement Prepare(string sql)
    {
        sqlite3 handle = Handle;
        int rc = raw.sqlite3_prepare_v2(handle, sql, out sqlite3_stmt statement, out string tail);
        if (rc != raw.SQLITE_OK)
        {
            SqliteCallException error = SqliteCallException.From(handle, rc);
            statement?.Dispose();
            throw error;
        }

        if (statement is null || statement.IsInvalid || !string.IsNullOrWhiteSpace(tail))
        {
            statement?.Dispose();
            throw new ArgumentException("expected exactly one SQL statement: " + sql, nameof(sql));
        }

        var prepared = new SqliteStatement(this, statement);
        lock (_gate)
        {
            _statements.Add(prepared);
        }

        return prepared;
    }

    /// <summary>
    /// The first column of the first row as an integer, 0 when there is no row. A NULL is an error, as
    /// for <see cref="SqliteStatement.GetInt64"/>: wrap the expression in COALESCE when NULL is expected.
    /// </summary>
    public long ScalarInt64(string sql)
    {
        using SqliteStatement statement = Prepare(sql);
        return statement.Step() ? statement.GetInt64(0) : 0;
    }

    /// <summary>BEGIN IMMEDIATE: the write lock is taken now, waiting up to the busy timeout for it.</summary>
    public SqliteTransaction BeginWrite() => new(this, write: true);

    /// <summary>BEGIN DEFERRED: the queries until Commit or Dispose read one snapshot of the file.</summary>
    public SqliteTransaction BeginRead() => new(this, write: false);

    /// <summary>Finalizes the statements still open, then closes the file.</summary>
    public void Dispose()
    {
        SqliteStatement[] open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            open = [.. _statements];
            _statements.Clear();
        }

        foreach (SqliteStatement statement in open)
        {
            statement.Dispose();
        }

        // Every statement is finalized, so close_v2 closes now instead of leaving a zombie connection.
        raw.sqlite3_close_v2(_handle);
    }

    internal void Forget(SqliteStatement statement)
    {
        lock (_gate)
        {
            _statements.Remove(statement);
        }
    }
}
