namespace Cortex.Llmd.Ledger.Sqlite;

/// <summary>
/// BEGIN IMMEDIATE ... COMMIT; disposed without <see cref="Commit"/>, it rolls back. IMMEDIATE takes the
/// write lock at BEGIN (waiting up to the busy timeout), as Microsoft.Data.Sqlite's BeginTransaction did,
/// so a transaction never fails halfway because another connection wrote since it started reading.
/// </summary>
public sealed class SqliteWriteTransaction : IDisposable
{
    private readonly SqliteDatabase _database;
    private bool _finished;

    internal SqliteWriteTransaction(SqliteDatabase database)
    {
        database.Execute("BEGIN IMMEDIATE");
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
