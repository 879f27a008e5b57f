using Cortex.Llmd.Budgets;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>The budgets' recorded spend, summed from the ledger's requests in one query.</summary>
public sealed class LedgerSpendSource(LedgerWriter writer) : ISpendSource
{
    public IReadOnlyList<RecordedSpend> Read(DateTimeOffset periodStart, DateTimeOffset recentStart)
    {
        try
        {
            using SqliteConnection connection = writer.OpenConnection();
            using SqliteCommand command = connection.Command("""
                SELECT tenant, caller_uid, caller_unit, SUM(cost_nano_usd), SUM(CASE WHEN time_ms >= $recent THEN cost_nano_usd ELSE 0 END)
                FROM requests WHERE time_ms >= $period GROUP BY tenant, caller_uid, caller_unit
                """);
            command.Bind("$recent", recentStart.ToUnixTimeMilliseconds());
            command.Bind("$period", periodStart.ToUnixTimeMilliseconds());
            using SqliteDataReader reader = command.ExecuteReader();
            var spend = new List<RecordedSpend>();
            while (reader.Read())
            {
                spend.Add(new RecordedSpend(reader.GetString(0), (uint?)reader.NullableInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
            }

            return spend;
        }
        catch (LedgerUnavailableException ex)
        {
            throw new SpendUnavailableException(ex.Message);
        }
        catch (SqliteException ex)
        {
            throw new SpendUnavailableException("ledger cannot be read: " + ex.Message);
        }
    }
}
