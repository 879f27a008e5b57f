using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The few shapes in which the ledger talks to Microsoft.Data.Sqlite: connections with the ledger's
/// settings, commands bound to the connection's transaction, and what a failure means for the file.
/// </summary>
internal static class LedgerSql
{
    public const int Busy = 5;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int NotADatabase = 26;

    // SQLite's busy_timeout, in seconds; Microsoft.Data.Sqlite's own retry loop on SQLITE_BUSY gets the same bound.
    private const int BusySeconds = 5;

    private static readonly string CrashPragmas = Pragmas("NORMAL");
    private static readonly string PowerPragmas = Pragmas("FULL");

    /// <summary>
    /// A new open connection to <paramref name="path"/> (created when absent) with the ledger's pragmas.
    /// </summary>
    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(ConnectionString(path));
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,

        // No pool: Dispose must close the file for real. A pooled connection would keep a corrupt ledger open
        // while it is moved aside (the fresh file would then share the old one's WAL index), and would keep a
        // file on a disk that went read-only or full open across the writer's reopen, so recovery would reuse
        // the very handle that failed. Opening costs tens of microseconds, next to a commit's fsync.
        Pooling = false,
        DefaultTimeout = BusySeconds,
    }.ToString();

    /// <summary>
    /// The ledger's pragmas for every connection (readers commit and checkpoint too). WAL: readers never
    /// block the writer. synchronous: NORMAL (crash) writes each commit to the WAL without an fsync, so it
    /// survives the process dying but not power loss; FULL (power) fsyncs every commit. busy_timeout: wait
    /// for another connection's lock.
    /// </summary>
    public static void ApplyPragmas(SqliteConnection connection, LedgerDurability durability) =>
        connection.Execute(durability == LedgerDurability.Power ? PowerPragmas : CrashPragmas);

    private static string Pragmas(string synchronous) => string.Create(
        CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusySeconds * 1000}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous};");

    /// <summary>A command on <paramref name="transaction"/>: Microsoft.Data.Sqlite refuses one that omits the connection's open transaction.</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Runs one or more statements without results; returns the rows they changed.</summary>
    public static int Execute(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = connection.Command(sql, transaction);
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// The first column of the first row as an integer, 0 when there is no row. A NULL is an error:
    /// reading it as 0 would hide a schema mismatch; wrap the expression in COALESCE when NULL is expected.
    /// </summary>
    public static long ScalarInt64(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = connection.Command(sql, transaction);
        return command.ExecuteScalar() switch
        {
            null => 0,
            long value => value,
            object other => throw new InvalidOperationException($"expected an integer, got {(other is DBNull ? "NULL" : other.GetType().Name)}: {sql}"),
        };
    }

    /// <summary>
    /// BEGIN DEFERRED: under WAL the first read fixes a snapshot, so every query until Commit or Dispose
    /// sees the same committed rows. (BeginTransaction() without arguments is BEGIN IMMEDIATE, the writer's.)
    /// </summary>
    public static SqliteTransaction BeginSnapshot(this SqliteConnection connection) => connection.BeginTransaction(deferred: true);

    /// <summary>The file is damaged or not a database at all: the ledger moves it aside rather than giving up.</summary>
    public static bool IsCorruption(this SqliteException ex) => ex.SqliteErrorCode is Corrupt or NotADatabase;

    /// <summary>Binds a value, NULL for null; the parameter is added on first use and its value replaced afterwards.</summary>
    public static void Bind(this SqliteCommand command, string name, object? value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    public static long? NullableInt64(this SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);

    public static string? NullableString(this SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
