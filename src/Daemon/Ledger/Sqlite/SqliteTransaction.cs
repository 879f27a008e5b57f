namespace Cortex.Llmd.Ledger.Sqlite;

/// <summary>
/// BEGIN ... COMMIT; disposed without <see cref="Commit"/>, it rolls back.
/// A write transaction is BEGIN IMMEDIATE: it takes the write lock at BEGIN (waiting up to the busy
/// timeout), as Microsoft.Data.Sqlite's BeginTransaction did, so it never fails halfway because another
/// connection wrote since it started reading. A read transaction is BEGIN DEFERRED: under WAL its first
/// read fixes a snapshot, so several queries see the same committed rows.
/// </summary>
public sealed class SqliteTransaction : IDisposable
{
    private readonly SqliteDatabase _database;
    private bool _finished;

    internal SqliteTransaction(SqliteDatabase database, bool write)
    {
        database.Execute(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
        _database = database;
    }

    public void Commit()
    {
        _database.Execute("COMMIT");
        _finished = true;
    }

    public void Dispose()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;

        // SQLite rolls back by itself after some errors (a full disk, I/O): only a live transaction needs ROLLBACK.
        // A failing ROLLBACK is not thrown: Dispose runs while the error that matters is on its way up, and the
        // ledger closes a connection that failed anyway.
        try
        {
            if (_database.InTransaction)
            {
                _database.Execute("ROLLBACK");
            }
        }
        catch (SqliteCallException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
