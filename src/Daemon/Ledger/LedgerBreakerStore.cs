using System.Globalization;
using Cortex.Llmd.Health;
using Cortex.Llmd.Model;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// Breaker snapshots in the ledger database (table <c>breakers</c>), so an open circuit stays open
/// across a restart. Called only from the breaker registry's background writer, never on a request.
/// While the ledger is degraded nothing is loaded, and a save throws; the registry logs that and keeps going.
/// </summary>
public sealed class LedgerBreakerStore(LedgerWriter writer) : IBreakerStore
{
    public IReadOnlyDictionary<TargetRef, BreakerSnapshot> LoadAll()
    {
        var result = new Dictionary<TargetRef, BreakerSnapshot>();
        SqliteConnection connection;
        try
        {
            connection = writer.OpenConnection();
        }
        catch (LedgerUnavailableException)
        {
            return result; // nothing saved can be read: every breaker starts closed
        }

        using (connection)
        {
            ReadAll(connection, result);
        }

        return result;
    }

    public void Save(TargetRef target, BreakerSnapshot snapshot)
    {
        using SqliteConnection connection = writer.OpenConnection();
        using SqliteCommand command = connection.Command("""
            INSERT INTO breakers (provider, model, state, since_ms, opened_ms, blocked_until_ms, samples, reason)
            VALUES ($provider, $model, $state, $since, $opened, $blocked, $samples, $reason)
            ON CONFLICT (provider, model) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms,
                opened_ms = excluded.opened_ms, blocked_until_ms = excluded.blocked_until_ms,
                samples = excluded.samples, reason = excluded.reason
            """);
        command.Bind("$provider", target.Provider);
        command.Bind("$model", target.Model);
        command.Bind("$state", snapshot.State.ToName());
        command.Bind("$since", snapshot.Since.ToUnixTimeMilliseconds());
        command.Bind("$opened", snapshot.OpenedAt?.ToUnixTimeMilliseconds());
        command.Bind("$blocked", snapshot.BlockedUntil?.ToUnixTimeMilliseconds());
        command.Bind("$samples", string.Join(',', snapshot.Samples.Select(s => $"{s.At.ToUnixTimeMilliseconds()}:{s.Successes}:{s.Failures}")));
        command.Bind("$reason", snapshot.Reason);
        command.ExecuteNonQuery();
    }

    private static void ReadAll(SqliteConnection connection, Dictionary<TargetRef, BreakerSnapshot> result)
    {
        using SqliteCommand command = connection.Command("SELECT provider, model, state, since_ms, opened_ms, blocked_until_ms, samples, reason FROM breakers");
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var snapshot = new BreakerSnapshot(
                ParseState(reader.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.NullableInt64(4) is { } opened ? DateTimeOffset.FromUnixTimeMilliseconds(opened) : null,
                reader.NullableInt64(5) is { } blocked ? DateTimeOffset.FromUnixTimeMilliseconds(blocked) : null,
                ParseSamples(reader.GetString(6)),
                reader.GetString(7));
            result[new TargetRef(reader.GetString(0), reader.GetString(1))] = snapshot;
        }
    }

    private static BreakerState ParseState(string text) => text switch
    {
        "open" => BreakerState.Open,
        "half-open" => BreakerState.HalfOpen,
        _ => BreakerState.Closed,
    };

    private static List<BreakerSample> ParseSamples(string text)
    {
        var samples = new List<BreakerSample>();
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            // MS:SUCCESSES:FAILURES per bucket; ledgers written before buckets hold MS:1 or MS:0 per call.
            string[] parts = item.Split(':');
            if (!long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms))
            {
                continue;
            }

            DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            if (parts.Length == 2)
            {
                samples.Add(parts[1] == "1" ? new BreakerSample(at, 1, 0) : new BreakerSample(at, 0, 1));
            }
            else if (parts.Length == 3 && Count(parts[1]) is { } successes && Count(parts[2]) is { } failures)
            {
                samples.Add(new BreakerSample(at, successes, failures));
            }
        }

        return samples;
    }

    private static int? Count(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
}
