using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Model;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// GetStats over the ledger in SQL: the same filters, group keys, sums and nearest-rank percentiles
/// as the in-memory reference aggregation in the tests computes.
/// </summary>
public static class LedgerStatsQuery
{
    private const string Sums = """
        SELECT k, COUNT(*), SUM(attempts), SUM(status <> 'OK'), SUM(fallbacks > 0), SUM(status = 'CANCELLED'), SUM(status = 'DEADLINE_EXCEEDED'),
               SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens), SUM(reasoning_tokens),
               SUM(cost_nano_usd), MIN(CASE WHEN status = 'OK' THEN priced ELSE 1 END)
        FROM f GROUP BY k;
        """;

    // Nearest rank ceil(p × n / 100) in integers, exactly as the tests' reference aggregation does.
    private const string Percentiles = """
        SELECT k, MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN latency_us END), MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN latency_us END)
        FROM (SELECT k, latency_us, ROW_NUMBER() OVER (PARTITION BY k ORDER BY latency_us) AS rn, COUNT(*) OVER (PARTITION BY k) AS n FROM f)
        GROUP BY k;
        """;

    /// <summary>Every matching row's group in [since, until] (Unix ms, inclusive), ordered by key, read on <paramref name="snapshot"/>.</summary>
    public static IReadOnlyList<StatsGroup> Groups(
        SqliteConnection connection, SqliteTransaction? snapshot, long sinceMs, long untilMs, StatsFilter? filter, GroupBy groupBy)
    {
        List<(string Column, object Value)> conditions = Conditions(filter);
        string where = string.Concat(conditions.Select((c, n) => $" AND {c.Column} = {Parameter(n)}"));
        string rows = $"WITH f AS (SELECT {KeyExpression(groupBy)} AS k, * FROM requests WHERE time_ms >= $since AND time_ms <= $until{where}) ";

        var groups = new SortedDictionary<string, StatsGroup>(StringComparer.Ordinal);
        using (SqliteCommand command = Prepare(connection, snapshot, rows + Sums, sinceMs, untilMs, conditions))
        using (SqliteDataReader sums = command.ExecuteReader())
        {
            while (sums.Read())
            {
                StatsGroup group = ReadSums(sums);
                groups[group.Key] = group;
            }
        }

        using SqliteCommand percentileCommand = Prepare(connection, snapshot, rows + Percentiles, sinceMs, untilMs, conditions);
        using SqliteDataReader percentiles = percentileCommand.ExecuteReader();
        while (percentiles.Read())
        {
            StatsGroup group = groups[percentiles.GetString(0)];
            group.LatencyP50Us = (ulong)percentiles.GetInt64(1);
            group.LatencyP95Us = (ulong)percentiles.GetInt64(2);
        }

        return [.. groups.Values];
    }

    /// <summary>The whole range as one group with an empty key (zeros when nothing matched).</summary>
    public static StatsGroup Total(SqliteConnection connection, SqliteTransaction? snapshot, long sinceMs, long untilMs, StatsFilter? filter) =>
        Groups(connection, snapshot, sinceMs, untilMs, filter, GroupBy.None) is [StatsGroup total]
            ? total
            : new StatsGroup { Key = string.Empty, Usage = new Usage(), Cost = new Cost { Priced = true } };

    internal static string KeyExpression(GroupBy groupBy) => groupBy switch
    {
        GroupBy.Provider => "provider",
        GroupBy.Model => "provider || '/' || model",
        GroupBy.Task => "task",
        GroupBy.Route => "route",
        GroupBy.Tenant => "tenant",
        GroupBy.Caller => "CASE WHEN caller_unit <> '' THEN caller_unit WHEN caller_uid IS NOT NULL THEN 'uid ' || caller_uid ELSE 'unknown' END",
        GroupBy.Door => "door",
        _ => "''",
    };

    private static StatsGroup ReadSums(SqliteDataReader r) => new()
    {
        Key = r.GetString(0),
        Requests = (ulong)r.GetInt64(1),
        Attempts = (ulong)r.GetInt64(2),
        Failures = (ulong)r.GetInt64(3),
        Fallbacks = (ulong)r.GetInt64(4),
        Cancelled = (ulong)r.GetInt64(5),
        DeadlineExceeded = (ulong)r.GetInt64(6),
        Usage = new Usage
        {
            InputTokens = (ulong)r.GetInt64(7),
            CachedInputTokens = (ulong)r.GetInt64(8),
            CacheWriteTokens = (ulong)r.GetInt64(9),
            OutputTokens = (ulong)r.GetInt64(10),
            ReasoningTokens = (ulong)r.GetInt64(11),
        },
        Cost = new Cost { NanoUsd = r.GetInt64(12), Priced = r.GetInt64(13) != 0 },
    };

    private static string Parameter(int n) => "$f" + n.ToString(CultureInfo.InvariantCulture);

    private static SqliteCommand Prepare(
        SqliteConnection connection, SqliteTransaction? snapshot, string sql, long sinceMs, long untilMs, List<(string Column, object Value)> conditions)
    {
        SqliteCommand command = connection.Command(sql, snapshot);
        command.Bind("$since", sinceMs);
        command.Bind("$until", untilMs);
        for (int n = 0; n < conditions.Count; n++)
        {
            command.Bind(Parameter(n), conditions[n].Value); // a long or a string
        }

        return command;
    }

    /// <summary>The filter's set fields as column = value conditions, in a fixed order.</summary>
    private static List<(string Column, object Value)> Conditions(StatsFilter? filter)
    {
        var conditions = new List<(string Column, object Value)>();
        if (filter is null)
        {
            return conditions;
        }

        void Add(string column, object value) => conditions.Add((column, value));

        if (filter.Provider.Length > 0)
        {
            Add("provider", filter.Provider);
        }

        if (filter.Model.Length > 0)
        {
            Add("model", filter.Model);
        }

        if (filter.TaskType != TaskType.Unspecified)
        {
            Add("task", TaskNames.ConfigKey(filter.TaskType));
        }

        if (filter.Route.Length > 0)
        {
            Add("route", filter.Route);
        }

        if (filter.TenantId.Length > 0)
        {
            Add("tenant", filter.TenantId);
        }

        if (filter.CallerUid is { } uid)
        {
            Add("caller_uid", (long)uid);
        }

        if (filter.CallerUnit.Length > 0)
        {
            Add("caller_unit", filter.CallerUnit);
        }

        if (filter.Door.Length > 0)
        {
            Add("door", filter.Door); // the generated column: 'grpc' matches the stored NULLs
        }

        return conditions;
    }
}
