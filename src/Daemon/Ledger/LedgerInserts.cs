using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The writer's two INSERT commands, created and prepared once for the life of the store's connection:
/// SQLite parses each statement once, and a row only sets values on parameter objects made up front
/// (no per-row command, parameter collection or name lookup).
/// </summary>
internal sealed class LedgerInserts : IDisposable
{
    private readonly SqliteCommand _request;
    private readonly SqliteParameter[] _requestValues;
    private readonly SqliteCommand _attempt;
    private readonly SqliteParameter[] _attemptValues;

    public LedgerInserts(SqliteConnection connection)
    {
        _request = Create(connection, LedgerRows.InsertRequestSql, LedgerRows.RequestParameters, out _requestValues);
        try
        {
            _attempt = Create(connection, LedgerRows.InsertAttemptSql, LedgerRows.AttemptParameters, out _attemptValues);
        }
        catch
        {
            _request.Dispose();
            throw;
        }
    }

    /// <summary>The batch's transaction: Microsoft.Data.Sqlite refuses a command that omits the connection's open one.</summary>
    public SqliteTransaction? Transaction
    {
        set
        {
            _request.Transaction = value;
            _attempt.Transaction = value;
        }
    }

    /// <summary>
    /// Inserts the request under <paramref name="row"/>'s id, or, when a caller reused its request id (a
    /// retry, say), as ID#2, ID#3...: both rows are kept. Returns the new row's integer id.
    /// </summary>
    public long InsertRequest(RequestRecord row, bool storePrompts)
    {
        LedgerRows.Set(_requestValues, row, storePrompts);
        for (int n = 2; ; n++)
        {
            if (_request.ExecuteScalar() is long id)
            {
                return id;
            }

            _requestValues[0].Value = row.RequestId + "#" + n.ToString(CultureInfo.InvariantCulture);
        }
    }

    public void InsertAttempt(long request, int seq, Attempt attempt)
    {
        LedgerRows.Set(_attemptValues, request, seq, attempt);
        _attempt.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _request.Dispose();
        _attempt.Dispose();
    }

    private static SqliteCommand Create(SqliteConnection connection, string sql, string[] names, out SqliteParameter[] values)
    {
        SqliteCommand command = connection.Command(sql);
        values = new SqliteParameter[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            values[i] = command.Parameters.Add(new SqliteParameter(names[i], DBNull.Value));
        }

        command.Prepare();
        return command;
    }
}
