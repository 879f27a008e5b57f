using Cortex.Llmd.Health;
using Cortex.Llmd.Model;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// Rate-limit cooldowns in the ledger database (table <c>cooldowns</c>), so a provider that asked for two
/// minutes is not called again by a daemon restarted after one. Written only by the cooldown registry's
/// background saver; while the ledger is degraded nothing is loaded and a save throws (the registry logs it).
/// </summary>
public sealed class LedgerCooldownStore(LedgerWriter writer) : ICooldownStore
{
    public IReadOnlyDictionary<TargetRef, RateLimitCooldown> LoadAll()
    {
        var result = new Dictionary<TargetRef, RateLimitCooldown>();
        SqliteConnection connection;
        try
        {
            connection = writer.OpenConnection();
        }
        catch (LedgerUnavailableException)
        {
            return result;
        }

        using (connection)
        using (SqliteCommand command = connection.Command("SELECT provider, model, since_ms, until_ms, source FROM cooldowns"))
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                result[new TargetRef(reader.GetString(0), reader.GetString(1))] = new RateLimitCooldown(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4));
            }
        }

        return result;
    }

    public void Save(TargetRef target, RateLimitCooldown cooldown)
    {
        using SqliteConnection connection = writer.OpenConnection();
        using SqliteCommand command = connection.Command("""
            INSERT INTO cooldowns (provider, model, since_ms, until_ms, source) VALUES ($provider, $model, $since, $until, $source)
            ON CONFLICT (provider, model) DO UPDATE SET since_ms = excluded.since_ms, until_ms = excluded.until_ms, source = excluded.source
            """);
        command.Bind("$provider", target.Provider);
        command.Bind("$model", target.Model);
        command.Bind("$since", cooldown.Since.ToUnixTimeMilliseconds());
        command.Bind("$until", cooldown.Until.ToUnixTimeMilliseconds());
        command.Bind("$source", cooldown.Source);
        command.ExecuteNonQuery();
    }
}
