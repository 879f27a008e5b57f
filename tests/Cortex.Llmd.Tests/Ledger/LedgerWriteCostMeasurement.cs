using System.Diagnostics;
using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Ledger;

/// <summary>
/// A measurement, not a test (run by name, never in CI): the ledger's cost per request at one caller,
/// one row per transaction, as the daemon writes it (no labels, one attempt). It prints microseconds (best and median of
/// several rounds) and bytes allocated per row for the writer (RecordAsync, what a request waits for) and for the store alone,
/// with synchronous=NORMAL (the crash mode: no fsync per commit) and OFF (no fsync at all).
/// Run: dotnet test tests/Cortex.Llmd.Tests -c Release --no-build --filter "FullyQualifiedName~LedgerWriteCostMeasurement" --logger "console;verbosity=detailed"
/// </summary>
[Explicit("a measurement: prints timings, asserts nothing")]
public class LedgerWriteCostMeasurement
{
    private const int Warmup = 500;
    private const int Rows = 1_000;
    private const int Rounds = 7;

    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [TestCase("NORMAL")]
    [TestCase("OFF")]
    public async Task Writer_OneCallerOneRowBatches_PrintsCostPerRow(string synchronous)
    {
        string path = Path.Combine(_dir, "ledger.db");
        await using var writer = new LedgerWriter(path, new LedgerOptions(), TimeProvider.System, NullLogger.Instance, c => c.Execute($"PRAGMA synchronous = {synchronous}"));
        writer.Start();
        for (int i = 0; i < Warmup; i++)
        {
            await writer.RecordAsync(Row(i), CancellationToken.None);
        }

        var times = new List<TimeSpan>();
        var cpu = new List<TimeSpan>();
        long allocated = 0;
        for (int round = 0; round < Rounds; round++)
        {
            RequestRecord[] rows = [.. Enumerable.Range(0, Rows).Select(Row)];
            long before = GC.GetTotalAllocatedBytes(precise: true);
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (RequestRecord row in rows)
            {
                await writer.RecordAsync(row, CancellationToken.None);
            }

            times.Add(clock.Elapsed);
            cpu.Add(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Print("writer", synchronous, times, cpu, allocated);
    }

    [TestCase("NORMAL")]
    [TestCase("OFF")]
    public void Store_OneRowBatches_PrintsCostPerRow(string synchronous)
    {
        using LedgerStore store = LedgerStore.Open(Path.Combine(_dir, "ledger.db"), TimeProvider.System, NullLogger.Instance, c => c.Execute($"PRAGMA synchronous = {synchronous}"));
        for (int i = 0; i < Warmup; i++)
        {
            store.Write([Row(i)], storePrompts: false);
        }

        var times = new List<TimeSpan>();
        var cpu = new List<TimeSpan>();
        long allocated = 0;
        for (int round = 0; round < Rounds; round++)
        {
            RequestRecord[][] batches = [.. Enumerable.Range(0, Rows).Select(i => new[] { Row(i) })];
            long before = GC.GetAllocatedBytesForCurrentThread();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (RequestRecord[] batch in batches)
            {
                store.Write(batch, storePrompts: false);
            }

            times.Add(clock.Elapsed);
            cpu.Add(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Print("store", synchronous, times, cpu, allocated);
    }

    [Test]
    public void Store_OneRowBatches_PrintsBytesPerRequest()
    {
        const int requests = 10_000;
        string path = Path.Combine(_dir, "ledger.db");
        using (LedgerStore store = LedgerStore.Open(path, TimeProvider.System, NullLogger.Instance))
        {
            for (int i = 0; i < requests; i++)
            {
                store.Write([Row(i)], storePrompts: false);
            }
        }

        using SqliteConnection connection = new($"Data Source={path};Pooling=False");
        connection.Open();
        connection.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        // e_sqlite3 has no dbstat: the per-table breakdown comes from a copy, e.g.
        // sqlite3 ledger-bytes.db "SELECT name, SUM(pgsize) / 10000.0 FROM dbstat GROUP BY name ORDER BY 2 DESC"
        string copy = Path.Combine(Path.GetTempPath(), "ledger-bytes.db");
        File.Copy(path, copy, overwrite: true);
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ledger file after a checkpoint: {new FileInfo(path).Length / (double)requests:F1} B/request ({requests} requests, one attempt each)"));
    }

    /// <summary>
    /// The best and the median round of wall time, and the median of the process's CPU time (user and
    /// system, every thread): on a shared machine the best round is the least disturbed, and CPU time
    /// hardly depends on what else runs.
    /// </summary>
    private static void Print(string what, string synchronous, List<TimeSpan> rounds, List<TimeSpan> cpu, long allocated)
    {
        rounds.Sort();
        cpu.Sort();
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ledger {what}, synchronous={synchronous}: wall best {rounds[0].TotalMicroseconds / Rows:F1} µs/row, median {rounds[rounds.Count / 2].TotalMicroseconds / Rows:F1} µs/row; "
            + $"CPU median {cpu[cpu.Count / 2].TotalMicroseconds / Rows:F1} µs/row; {allocated / Rows} B allocated/row ({Rounds} rounds of {Rows})"));
    }

    /// <summary>A row as the daemon writes most: a generated id, no labels, one successful attempt.</summary>
    private static RequestRecord Row(int i) => LedgerTestData.Row(i) with
    {
        RequestId = "req_" + Guid.CreateVersion7().ToString("N"),
        Labels = new Dictionary<string, string>(),
        Attempts = [new Attempt { Provider = "anthropic", Model = "anthropic-m0", Outcome = AttemptOutcome.Success, HttpStatus = 200, LatencyUs = 1234 }],
        PromptText = null,
        AnswerText = null,
    };
}
