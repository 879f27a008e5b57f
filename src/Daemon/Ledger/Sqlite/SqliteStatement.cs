using SQLitePCL;

namespace Cortex.Llmd.Ledger.Sqlite;

/// <summary>
/// One prepared statement. Parameters are bound by name ("$request_id"); bindings survive
/// <see cref="Reset"/>, so a statement can be executed again with only some values changed.
/// Columns are read by index while <see cref="Step"/> stands on a row.
/// </summary>
public sealed class SqliteStatement : IDisposable
{
    private readonly SqliteDatabase _database;
    private sqlite3_stmt? _handle;
    private bool _onRow;

    internal SqliteStatement(SqliteDatabase database, sqlite3_stmt handle)
    {
        _database = database;
        _handle = handle;
    }

    private sqlite3_stmt Handle => _handle ?? throw new ObjectDisposedException(nameof(SqliteStatement));

    public void Bind(string name, long value) => Check(raw.sqlite3_bind_int64(Handle, Index(name), value));

    public void Bind(string name, long? value)
    {
        if (value is { } number)
        {
            Bind(name, number);
        }
        else
        {
            BindNull(name);
        }
    }

    public void Bind(string name, double value) => Check(raw.sqlite3_bind_double(Handle, Index(name), value));

    /// <summary>Binds UTF-8 text; a null string binds NULL.</summary>
    public void Bind(string name, string? value)
    {
        int index = Index(name);
        Check(value is null ? raw.sqlite3_bind_null(Handle, index) : raw.sqlite3_bind_text(Handle, index, value));
    }

    public void BindNull(string name) => Check(raw.sqlite3_bind_null(Handle, Index(name)));

    /// <summary>Advances to the next row: true on a row, false once the statement is done.</summary>
    public bool Step()
    {
        sqlite3_stmt handle = Handle;
        int rc = raw.sqlite3_step(handle);
        _onRow = rc == raw.SQLITE_ROW;
        if (_onRow || rc == raw.SQLITE_DONE)
        {
            return _onRow;
        }

        SqliteCallException error = SqliteCallException.From(_database.Handle, rc);
        raw.sqlite3_reset(handle); // a failed statement must not keep its read or write lock until disposed
        throw error;
    }

    /// <summary>Runs the statement to its end and resets it; returns the rows it inserted, updated or deleted.</summary>
    public int Execute()
    {
        while (Step())
        {
        }

        int changes = raw.sqlite3_stmt_readonly(Handle) != 0 ? 0 : raw.sqlite3_changes(_database.Handle);
        Reset();
        return changes;
    }

    /// <summary>Back to before the first row; bindings are kept.</summary>
    public void Reset()
    {
        _onRow = false;

        // Its result repeats the last Step's error, which Step already threw.
        raw.sqlite3_reset(Handle);
    }

    public void ClearBindings() => Check(raw.sqlite3_clear_bindings(Handle));

    public bool IsNull(int column) => ColumnType(column) == raw.SQLITE_NULL;

    public long GetInt64(int column)
    {
        ThrowIfNull(column);
        return raw.sqlite3_column_int64(Handle, column);
    }

    public double GetDouble(int column)
    {
        ThrowIfNull(column);
        return raw.sqlite3_column_double(Handle, column);
    }

    public string GetString(int column)
    {
        ThrowIfNull(column);
        return raw.sqlite3_column_text(Handle, column).utf8_to_string();
    }

    public void Dispose()
    {
        sqlite3_stmt? handle = Interlocked.Exchange(ref _handle, null);
        if (handle is not null)
        {
            _database.Forget(this);
            raw.sqlite3_finalize(handle);
        }
    }

    private int ColumnType(int column)
    {
        sqlite3_stmt handle = Handle;
        if (!_onRow)
        {
            throw new InvalidOperationException("no current row: Step() must return true before columns are read");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, raw.sqlite3_column_count(handle));
        return raw.sqlite3_column_type(handle, column);
    }

    // Reading NULL as 0 or "" would hide a schema mismatch; callers that expect NULL ask IsNull first.
    private void ThrowIfNull(int column)
    {
        if (ColumnType(column) == raw.SQLITE_NULL)
        {
            throw new InvalidOperationException($"column {column} is NULL: check IsNull first");
        }
    }

    /// <summary>A name the SQL does not contain is a programming error: it is not silently ignored.</summary>
    private int Index(string name)
    {
        int index = raw.sqlite3_bind_parameter_index(Handle, name);
        return index > 0
            ? index
            : throw new ArgumentException($"no parameter {name} in: {raw.sqlite3_sql(Handle).utf8_to_string()}", nameof(name));
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw SqliteCallException.From(_database.Handle, rc);
        }
    }
}
