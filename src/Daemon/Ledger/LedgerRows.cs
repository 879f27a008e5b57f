using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>How a <see cref="RequestRecord"/> maps to the ledger's columns, both ways, without reflection.</summary>
public static class LedgerRows
{
    private const string RequestColumns =
        "request_id, time_ms, caller_uid, caller_gid, caller_pid, caller_process, caller_unit, tenant, labels_json, task, route, "
        + "provider, model, status, attempts, fallbacks, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, "
        + "reasoning_tokens, cost_nano_usd, priced, latency_us, ttft_us, prompt_text, answer_text";

    private static readonly string[] RequestParameters = [.. RequestColumns.Split(", ").Select(c => "$" + c)];

    public static SqliteCommand InsertRequest(SqliteConnection connection, SqliteTransaction transaction)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO requests ({RequestColumns}) VALUES ({string.Join(", ", RequestParameters)}) ON CONFLICT (request_id) DO NOTHING";
        foreach (string name in RequestParameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    public static SqliteCommand InsertAttempt(SqliteConnection connection, SqliteTransaction transaction)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO attempts (request_id, seq, provider, model, outcome, reason, http_status, latency_us) "
            + "VALUES ($request_id, $seq, $provider, $model, $outcome, $reason, $http_status, $latency_us)";
        foreach (string name in (string[])["$request_id", "$seq", "$provider", "$model", "$outcome", "$reason", "$http_status", "$latency_us"])
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    public static void Bind(SqliteCommand command, RequestRecord r, bool storePrompts)
    {
        SqliteParameterCollection p = command.Parameters;
        p["$request_id"].Value = r.RequestId;
        p["$time_ms"].Value = r.Time.ToUnixTimeMilliseconds();
        p["$caller_uid"].Value = r.Caller.Uid is { } uid ? (long)uid : DBNull.Value;
        p["$caller_gid"].Value = r.Caller.Gid is { } gid ? (long)gid : DBNull.Value;
        p["$caller_pid"].Value = r.Caller.Pid is { } pid ? (long)pid : DBNull.Value;
        p["$caller_process"].Value = r.Caller.ProcessName;
        p["$caller_unit"].Value = r.Caller.Unit;
        p["$tenant"].Value = r.TenantId;
        p["$labels_json"].Value = LabelsJson(r.Labels);
        p["$task"].Value = TaskNames.ConfigKey(r.Task);
        p["$route"].Value = r.Route;
        p["$provider"].Value = r.Provider;
        p["$model"].Value = r.Model;
        p["$status"].Value = r.Status;
        p["$attempts"].Value = r.Attempts.Count;
        p["$fallbacks"].Value = Math.Max(0, r.Attempts.Count - 1);
        p["$input_tokens"].Value = (long)r.Usage.InputTokens;
        p["$cached_input_tokens"].Value = (long)r.Usage.CachedInputTokens;
        p["$cache_write_tokens"].Value = (long)r.Usage.CacheWriteTokens;
        p["$output_tokens"].Value = (long)r.Usage.OutputTokens;
        p["$reasoning_tokens"].Value = (long)r.Usage.ReasoningTokens;
        p["$cost_nano_usd"].Value = r.Cost.NanoUsd;
        p["$priced"].Value = r.Cost.Priced ? 1 : 0;
        p["$latency_us"].Value = Micros(r.Latency);
        p["$ttft_us"].Value = r.Ttft is { } ttft ? Micros(ttft) : DBNull.Value;
        p["$prompt_text"].Value = storePrompts && r.PromptText is { } prompt ? prompt : DBNull.Value;
        p["$answer_text"].Value = storePrompts && r.AnswerText is { } answer ? answer : DBNull.Value;
    }

    public static void Bind(SqliteCommand command, string requestId, int seq, Attempt a)
    {
        SqliteParameterCollection p = command.Parameters;
        p["$request_id"].Value = requestId;
        p["$seq"].Value = seq;
        p["$provider"].Value = a.Provider;
        p["$model"].Value = a.Model;
        p["$outcome"].Value = a.Outcome.ToString();
        p["$reason"].Value = a.Reason;
        p["$http_status"].Value = (long)a.HttpStatus;
        p["$latency_us"].Value = (long)a.LatencyUs;
    }

    /// <summary>Reads one request back with its attempts; null when the ledger has no such row.</summary>
    public static RequestRecord? Read(SqliteConnection connection, string requestId)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT {RequestColumns} FROM requests WHERE request_id = $id";
        command.Parameters.AddWithValue("$id", requestId);
        using SqliteDataReader r = command.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var caller = new CallerInfo(
            r.IsDBNull(2) ? null : (uint)r.GetInt64(2), r.IsDBNull(3) ? null : (uint)r.GetInt64(3), r.IsDBNull(4) ? null : (uint)r.GetInt64(4),
            r.GetString(5), r.GetString(6));
        var usage = new Usage
        {
            InputTokens = (ulong)r.GetInt64(16),
            CachedInputTokens = (ulong)r.GetInt64(17),
            CacheWriteTokens = (ulong)r.GetInt64(18),
            OutputTokens = (ulong)r.GetInt64(19),
            ReasoningTokens = (ulong)r.GetInt64(20),
        };
        TaskType task = TaskNames.ByConfigKey.TryGetValue(r.GetString(9), out TaskType known) ? known : TaskType.Unspecified;
        return new RequestRecord(
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(0), task, r.GetString(10), r.GetString(11), r.GetString(12),
            r.GetString(7), caller, r.GetString(13), ReadAttempts(connection, requestId), usage,
            new Cost { NanoUsd = r.GetInt64(21), Priced = r.GetInt64(22) != 0 }, TimeSpan.FromMicroseconds(r.GetInt64(23)))
        {
            Labels = ParseLabels(r.GetString(8)),
            Ttft = r.IsDBNull(24) ? null : TimeSpan.FromMicroseconds(r.GetInt64(24)),
            PromptText = r.IsDBNull(25) ? null : r.GetString(25),
            AnswerText = r.IsDBNull(26) ? null : r.GetString(26),
        };
    }

    private static List<Attempt> ReadAttempts(SqliteConnection connection, string requestId)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT provider, model, outcome, reason, http_status, latency_us FROM attempts WHERE request_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", requestId);
        using SqliteDataReader r = command.ExecuteReader();
        var attempts = new List<Attempt>();
        while (r.Read())
        {
            attempts.Add(new Attempt
            {
                Provider = r.GetString(0),
                Model = r.GetString(1),
                Outcome = Enum.TryParse(r.GetString(2), out AttemptOutcome outcome) ? outcome : AttemptOutcome.Unspecified,
                Reason = r.GetString(3),
                HttpStatus = (uint)r.GetInt64(4),
                LatencyUs = (ulong)r.GetInt64(5),
            });
        }

        return attempts;
    }

    private static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Labels as a JSON object with keys in ordinal order, written without reflection.</summary>
    internal static string LabelsJson(IReadOnlyDictionary<string, string> labels)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach ((string key, string value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Dictionary<string, string> ParseLabels(string json)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            labels[property.Name] = property.Value.GetString() ?? string.Empty;
        }

        return labels;
    }
}
