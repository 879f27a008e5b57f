using System.Buffers;
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
    internal const string RequestColumns =
        "request_id, time_ms, caller_uid, caller_gid, caller_pid, caller_process, caller_unit, tenant, labels_json, task, route, "
        + "provider, model, status, attempts, fallbacks, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, "
        + "reasoning_tokens, cost_nano_usd, priced, latency_us, ttft_us, prompt_text, answer_text";

    /// <summary>
    /// The stored front door (schema 7), written after <see cref="RequestColumns"/>: NULL for gRPC, else the
    /// door's name. Readers select the generated column <c>door</c>, which names gRPC too.
    /// </summary>
    private const string DoorColumn = "door_if_not_grpc";

    private const string AttemptColumns = "request, seq, provider, model, outcome, reason, http_status, latency_us";

    // TaskNames.ConfigKey searches its table on every call; the writer asks once per row.
    private static readonly Dictionary<TaskType, string> TaskKeys = TaskNames.ByConfigKey
        .GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);

    /// <summary>The request's parameters, one per column in <see cref="RequestColumns"/> order, then the door's.</summary>
    internal static readonly string[] RequestParameters = ParameterNames(RequestColumns + ", " + DoorColumn);

    internal static readonly string[] AttemptParameters = ParameterNames(AttemptColumns);

    /// <summary>Inserts a request; returns its new row's id, or no row when the request id is taken.</summary>
    internal static readonly string InsertRequestSql =
        $"INSERT INTO requests ({RequestColumns}, {DoorColumn}) VALUES ({string.Join(", ", RequestParameters)}) ON CONFLICT (request_id) DO NOTHING RETURNING id";

    internal static readonly string InsertAttemptSql = $"INSERT INTO attempt_rows ({AttemptColumns}) VALUES ({string.Join(", ", AttemptParameters)})";

    /// <summary>Sets the request's values, in <see cref="RequestParameters"/> order.</summary>
    internal static void Set(SqliteParameter[] p, RequestRecord r, bool storePrompts)
    {
        p[0].Value = r.RequestId;
        p[1].Value = r.Time.ToUnixTimeMilliseconds();
        p[2].Value = Nullable(r.Caller.Uid);
        p[3].Value = Nullable(r.Caller.Gid);
        p[4].Value = Nullable(r.Caller.Pid);
        p[5].Value = r.Caller.ProcessName;
        p[6].Value = r.Caller.Unit;
        p[7].Value = r.TenantId;
        p[8].Value = LabelsJson(r.Labels);
        p[9].Value = TaskKeys.GetValueOrDefault(r.Task, "unspecified");
        p[10].Value = r.Route;
        p[11].Value = r.Provider;
        p[12].Value = r.Model;
        p[13].Value = r.Status;
        // Skipped targets are in the attempts table but are not attempts: no call was made.
        p[14].Value = r.AttemptsMade;
        p[15].Value = Math.Max(0, r.AttemptsMade - 1);
        p[16].Value = (long)r.Usage.InputTokens;
        p[17].Value = (long)r.Usage.CachedInputTokens;
        p[18].Value = (long)r.Usage.CacheWriteTokens;
        p[19].Value = (long)r.Usage.OutputTokens;
        p[20].Value = (long)r.Usage.ReasoningTokens;
        p[21].Value = r.Cost.NanoUsd;
        p[22].Value = r.Cost.Priced ? 1 : 0;
        p[23].Value = Micros(r.Latency);
        p[24].Value = r.Ttft is { } ttft ? Micros(ttft) : DBNull.Value;
        p[25].Value = storePrompts ? (object?)r.PromptText ?? DBNull.Value : DBNull.Value;
        p[26].Value = storePrompts ? (object?)r.AnswerText ?? DBNull.Value : DBNull.Value;
        p[27].Value = r.Door == FrontDoors.Grpc ? DBNull.Value : r.Door;
    }

    /// <summary>Sets the attempt's values, in <see cref="AttemptColumns"/> order.</summary>
    internal static void Set(SqliteParameter[] p, long request, int seq, Attempt a)
    {
        p[0].Value = request;
        p[1].Value = seq;
        p[2].Value = a.Provider;
        p[3].Value = a.Model;
        p[4].Value = a.Outcome.ToString();
        p[5].Value = a.Reason;
        p[6].Value = (long)a.HttpStatus;
        p[7].Value = (long)a.LatencyUs;
    }

    /// <summary>Reads one request back with its attempts; null when the ledger has no such row.</summary>
    public static RequestRecord? Read(SqliteConnection connection, string requestId)
    {
        using SqliteCommand command = connection.Command($"SELECT {RequestColumns}, door FROM requests WHERE request_id = $id");
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
            Door = r.GetString(27),
        };
    }

    private static List<Attempt> ReadAttempts(SqliteConnection connection, string requestId)
    {
        using SqliteCommand command = connection.Command(
            "SELECT provider, model, outcome, reason, http_status, latency_us FROM attempt_rows WHERE request = (SELECT id FROM requests WHERE request_id = $id) ORDER BY seq");
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

    private static object Nullable(uint? value) => value is { } v ? (long)v : DBNull.Value;

    private static string[] ParameterNames(string columns) => [.. columns.Split(", ").Select(c => "$" + c)];

    /// <summary>Labels as a JSON object with keys in ordinal order, written without reflection.</summary>
    internal static string LabelsJson(IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            return "{}"; // most requests: no buffer, no writer
        }

        string[] keys = new string[labels.Count];
        int n = 0;
        foreach (string key in labels.Keys)
        {
            keys[n++] = key;
        }

        Array.Sort(keys, StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (string key in keys)
            {
                writer.WriteString(key, labels[key]);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
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
