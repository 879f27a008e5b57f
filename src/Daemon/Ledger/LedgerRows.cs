using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Model;
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

    /// <summary>One command for a whole batch: Microsoft.Data.Sqlite keeps it prepared while only the values change.</summary>
    public static SqliteCommand InsertRequest(SqliteConnection connection, SqliteTransaction transaction) =>
        connection.Command($"INSERT INTO requests ({RequestColumns}) VALUES ({string.Join(", ", RequestParameters)}) ON CONFLICT (request_id) DO NOTHING", transaction);

    public static SqliteCommand InsertAttempt(SqliteConnection connection, SqliteTransaction transaction) =>
        connection.Command("INSERT INTO attempts (request_id, seq, provider, model, outcome, reason, http_status, latency_us) "
            + "VALUES ($request_id, $seq, $provider, $model, $outcome, $reason, $http_status, $latency_us)", transaction);

    public static void Bind(SqliteCommand s, RequestRecord r, bool storePrompts)
    {
        s.Bind("$request_id", r.RequestId);
        s.Bind("$time_ms", r.Time.ToUnixTimeMilliseconds());
        s.Bind("$caller_uid", (long?)r.Caller.Uid);
        s.Bind("$caller_gid", (long?)r.Caller.Gid);
        s.Bind("$caller_pid", (long?)r.Caller.Pid);
        s.Bind("$caller_process", r.Caller.ProcessName);
        s.Bind("$caller_unit", r.Caller.Unit);
        s.Bind("$tenant", r.TenantId);
        s.Bind("$labels_json", LabelsJson(r.Labels));
        s.Bind("$task", TaskNames.ConfigKey(r.Task));
        s.Bind("$route", r.Route);
        s.Bind("$provider", r.Provider);
        s.Bind("$model", r.Model);
        s.Bind("$status", r.Status);
        // Skipped targets are in the attempts table but are not attempts: no call was made.
        s.Bind("$attempts", r.AttemptsMade);
        s.Bind("$fallbacks", Math.Max(0, r.AttemptsMade - 1));
        s.Bind("$input_tokens", (long)r.Usage.InputTokens);
        s.Bind("$cached_input_tokens", (long)r.Usage.CachedInputTokens);
        s.Bind("$cache_write_tokens", (long)r.Usage.CacheWriteTokens);
        s.Bind("$output_tokens", (long)r.Usage.OutputTokens);
        s.Bind("$reasoning_tokens", (long)r.Usage.ReasoningTokens);
        s.Bind("$cost_nano_usd", r.Cost.NanoUsd);
        s.Bind("$priced", r.Cost.Priced ? 1 : 0);
        s.Bind("$latency_us", Micros(r.Latency));
        s.Bind("$ttft_us", r.Ttft is { } ttft ? Micros(ttft) : null);
        s.Bind("$prompt_text", storePrompts ? r.PromptText : null);
        s.Bind("$answer_text", storePrompts ? r.AnswerText : null);
    }

    public static void Bind(SqliteCommand s, string requestId, int seq, Attempt a)
    {
        s.Bind("$request_id", requestId);
        s.Bind("$seq", seq);
        s.Bind("$provider", a.Provider);
        s.Bind("$model", a.Model);
        s.Bind("$outcome", a.Outcome.ToString());
        s.Bind("$reason", a.Reason);
        s.Bind("$http_status", (long)a.HttpStatus);
        s.Bind("$latency_us", (long)a.LatencyUs);
    }

    /// <summary>Reads one request back with its attempts; null when the ledger has no such row.</summary>
    public static RequestRecord? Read(SqliteConnection connection, string requestId)
    {
        using SqliteCommand command = connection.Command($"SELECT {RequestColumns} FROM requests WHERE request_id = $id");
        command.Bind("$id", requestId);
        using SqliteDataReader r = command.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var caller = new CallerInfo(
            (uint?)r.NullableInt64(2), (uint?)r.NullableInt64(3), (uint?)r.NullableInt64(4),
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
            Ttft = r.NullableInt64(24) is { } ttft ? TimeSpan.FromMicroseconds(ttft) : null,
            PromptText = r.NullableString(25),
            AnswerText = r.NullableString(26),
        };
    }

    private static List<Attempt> ReadAttempts(SqliteConnection connection, string requestId)
    {
        using SqliteCommand command = connection.Command("SELECT provider, model, outcome, reason, http_status, latency_us FROM attempts WHERE request_id = $id ORDER BY seq");
        command.Bind("$id", requestId);
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
