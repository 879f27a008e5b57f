using SQLitePCL;

namespace Cortex.Llmd.Ledger.Sqlite;

/// <summary>
/// A failed SQLite call: the result code SQLite returned and the connection's message at that moment.
/// The message names the code, so a log line or a degraded reason says what SQLite said.
/// </summary>
public sealed class SqliteCallException : Exception
{
    public const int ReadOnly = 8;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int Constraint = 19;
    public const int NotADatabase = 26;

    public SqliteCallException(int extendedCode, string detail)
        : base(Describe(extendedCode & 0xFF, detail))
    {
        ExtendedCode = extendedCode;
    }

    /// <summary>The primary result code (SQLITE_FULL = 13, ...), what callers compare against.</summary>
    public int ResultCode => ExtendedCode & 0xFF;

    /// <summary>The extended result code (e.g. SQLITE_CONSTRAINT_PRIMARYKEY = 1555); its low byte is <see cref="ResultCode"/>.</summary>
    public int ExtendedCode { get; }

    /// <summary>The file is damaged or not a database at all: the ledger moves it aside rather than giving up.</summary>
    public bool IsCorruption => ResultCode is Corrupt or NotADatabase;

    /// <summary>The error of the call on <paramref name="handle"/> that just returned <paramref name="rc"/>.</summary>
    internal static SqliteCallException From(sqlite3? handle, int rc)
    {
        if (handle is null || handle.IsInvalid)
        {
            return new SqliteCallException(rc, raw.sqlite3_errstr(rc).utf8_to_string());
        }

        // The connection's codes describe its latest failure; trust them only when they agree with rc.
        int extended = raw.sqlite3_extended_errcode(handle);
        return new SqliteCallException((extended & 0xFF) == (rc & 0xFF) ? extended : rc, raw.sqlite3_errmsg(handle).utf8_to_string());
    }

    private static string Describe(int code, string detail)
    {
        SqliteLibrary.EnsureLoaded();
        string name = raw.sqlite3_errstr(code).utf8_to_string();
        return detail == name || string.IsNullOrEmpty(detail) ? $"SQLite error {code} ({name})" : $"SQLite error {code} ({name}): {detail}";
    }
}
