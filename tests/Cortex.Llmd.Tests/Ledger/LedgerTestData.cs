using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Ledger;

/// <summary>Deterministic ledger rows and small helpers shared by the ledger tests.</summary>
internal static class LedgerTestData
{
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Providers = ["anthropic", "kimi", "local"];
    private static readonly string[] Statuses = ["OK", "OK", "OK", "UNAVAILABLE", "CANCELLED", "DEADLINE_EXCEEDED"];
    private static readonly TaskType[] Tasks = [TaskType.UserChat, TaskType.CodeGeneration, TaskType.SystemOperation];

    /// <summary>Row number <paramref name="i"/> of a varied but reproducible set.</summary>
    public static RequestRecord Row(int i, DateTimeOffset? time = null)
    {
        string provider = Providers[i % Providers.Length];
        int attempts = 1 + (i % 3 == 0 ? 1 : 0) + (i % 7 == 0 ? 1 : 0);
        var attemptList = Enumerable.Range(0, attempts).Select(a => new Attempt
        {
            Provider = provider,
            Model = provider + "-m" + (a % 2),
            Outcome = a == attempts - 1 ? AttemptOutcome.Success : AttemptOutcome.Error,
            Reason = a == attempts - 1 ? string.Empty : "HTTP 503",
            HttpStatus = a == attempts - 1 ? 200u : 503u,
            LatencyUs = (ulong)(1000 + (i * 37 % 900)),
        }).ToList();
        return new RequestRecord(
            time ?? Start.AddMilliseconds(i * 1000),
            "req_" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
            Tasks[i % Tasks.Length],
            i % 2 == 0 ? "balanced" : "fast",
            provider,
            provider + "-m" + (i % 2),
            i % 4 == 0 ? "tenant-a" : "tenant-b",
            new CallerInfo((uint)(1000 + (i % 3)), 100, (uint)(4000 + i), "proc" + (i % 2), i % 5 == 0 ? "worker.service" : string.Empty),
            Statuses[i % Statuses.Length],
            attemptList,
            new Usage
            {
                InputTokens = (ulong)(100 + (i * 13 % 500)),
                CachedInputTokens = (ulong)(i * 7 % 300),
                CacheWriteTokens = (ulong)(i % 11),
                OutputTokens = (ulong)(50 + (i * 29 % 700)),
                ReasoningTokens = (ulong)(i % 5 * 10),
            },
            new Cost { NanoUsd = 1_234_567_891L + (i * 98_765L), Priced = provider != "local" || i % 4 != 2 },
            TimeSpan.FromMicroseconds(5_000 + (i * 7_919 % 100_000)))
        {
            Labels = new Dictionary<string, string> { ["team"] = "t" + (i % 3), ["ü"] = "\"quoted\"" },
            Ttft = i % 2 == 0 ? TimeSpan.FromMicroseconds(1_000 + i) : null,
            PromptText = "prompt " + i,
            AnswerText = "answer " + i,
        };
    }

    public static LedgerStore Open(string path, TimeProvider? time = null) =>
        LedgerStore.Open(path, time ?? new Support.ManualTimeProvider(Start), NullLogger.Instance);

    /// <summary>Every request id in a ledger file, read with a fresh connection (after a crash, this recovers its WAL).</summary>
    public static HashSet<string> StoredRequestIds(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using Microsoft.Data.Sqlite.SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT request_id FROM requests";
        using Microsoft.Data.Sqlite.SqliteDataReader reader = command.ExecuteReader();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            stored.Add(reader.GetString(0));
        }

        return stored;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > timeoutMs)
            {
                Assert.Fail("timed out waiting for " + what);
            }

            await Task.Delay(10);
        }
    }
}
