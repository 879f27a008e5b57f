using Cortex.Llmd.Tests.Support.Stats;
using Cortex.Llm.V1;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerStatsTests
{
    private const int RowCount = 500;

    private string _dir = null!;
    private ManualTimeProvider _time = null!;
    private LedgerWriter _writer = null!;
    private LedgerStatsStore _stats = null!;
    private RequestRecord[] _rows = null!;

    [SetUp]
    public async Task StartLedger()
    {
        _dir = TempDirectory.Create();
        _time = new ManualTimeProvider(LedgerTestData.Start.AddDays(1));
        _writer = new LedgerWriter(Path.Combine(_dir, "ledger.db"), new LedgerOptions(), _time, NullLogger.Instance);
        _writer.Start();
        _stats = new LedgerStatsStore(_writer, _time);
        // One request in four through the OpenAI-compatible door: the door is a group key and a filter like the others.
        _rows = [.. Enumerable.Range(0, RowCount).Select(i => LedgerTestData.Row(i) with { Door = i % 4 == 1 ? FrontDoors.OpenAi : FrontDoors.Grpc })];
        await Task.WhenAll(_rows.Select(r => _stats.RecordAsync(r, CancellationToken.None).AsTask()));
    }

    [TearDown]
    public async Task StopLedger()
    {
        await _writer.DisposeAsync();
        TempDirectory.Delete(_dir);
    }

    private static GetStatsRequest All(GroupBy groupBy = GroupBy.None, StatsFilter? filter = null) =>
        new() { SinceUnixMs = 1, GroupBy = groupBy, Filter = filter };

    /// <summary>The same rows summed in memory by the one in-memory aggregator.</summary>
    private StatsGroup Expected(Func<RequestRecord, bool> where, string key = "")
    {
        var aggregator = new StatsAggregator(key);
        foreach (RequestRecord row in _rows.Where(where))
        {
            aggregator.Add(row);
        }

        return aggregator.Build();
    }

    [Test]
    public void Query_AllRows_TotalsEqualSumsOfLedgerRows()
    {
        StatsGroup total = _stats.Query(All(), 3).Total;

        Assert.That(total.Requests, Is.EqualTo((ulong)RowCount));
        Assert.That(total.Cost.NanoUsd, Is.EqualTo(_rows.Sum(r => r.Cost.NanoUsd)));
        Assert.That(total.Usage.CachedInputTokens, Is.EqualTo((ulong)_rows.Sum(r => (long)r.Usage.CachedInputTokens)));
        Assert.That(total.Attempts, Is.EqualTo((ulong)_rows.Sum(r => r.Attempts.Count)));
        Assert.That(total, Is.EqualTo(Expected(_ => true)));

        // And the ledger's own rows, summed straight from SQLite.
        using SqliteConnection connection = _writer.OpenConnection();
        Assert.That(connection.ScalarInt64("SELECT SUM(cost_nano_usd) FROM requests"), Is.EqualTo(total.Cost.NanoUsd));
        Assert.That(connection.ScalarInt64("SELECT COUNT(*) FROM attempts"), Is.EqualTo((long)total.Attempts));
        Assert.That(connection.ScalarInt64("SELECT SUM(output_tokens) + SUM(reasoning_tokens) + SUM(input_tokens) + SUM(cache_write_tokens)"
            + " FROM requests"), Is.EqualTo((long)(total.Usage.OutputTokens + total.Usage.ReasoningTokens + total.Usage.InputTokens + total.Usage.CacheWriteTokens)));
    }

    [TestCase(GroupBy.Provider)]
    [TestCase(GroupBy.Model)]
    [TestCase(GroupBy.Task)]
    [TestCase(GroupBy.Route)]
    [TestCase(GroupBy.Tenant)]
    [TestCase(GroupBy.Caller)]
    [TestCase(GroupBy.Door)]
    public void Query_GroupBy_EachGroupEqualsInMemoryAggregateAndGroupsSumToTotal(GroupBy groupBy)
    {
        GetStatsResponse response = _stats.Query(All(groupBy), 0);

        StatsGroup[] expected = [.. _rows.GroupBy(r => StatsFilters.GroupKey(groupBy, r)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Expected(r => StatsFilters.GroupKey(groupBy, r) == g.Key, g.Key))];
        Assert.That(response.Groups, Is.EqualTo(expected));
        Assert.That(response.Groups.Sum(g => g.Cost.NanoUsd), Is.EqualTo(response.Total.Cost.NanoUsd));
        Assert.That(response.Groups.Aggregate(0UL, (n, g) => n + g.Requests), Is.EqualTo(response.Total.Requests));
    }

    [Test]
    public void Query_GroupByDoor_CountsEachDoorUnderItsName()
    {
        GetStatsResponse response = _stats.Query(All(GroupBy.Door), 0);

        Assert.That(response.Groups.Select(g => (g.Key, g.Requests)), Is.EqualTo(new[] { ("grpc", 375UL), ("openai", 125UL) }));
    }

    private static IEnumerable<TestCaseData> Filters()
    {
        yield return new TestCaseData(new StatsFilter { Provider = "kimi" }).SetName("Query_FilterProvider_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { Provider = "kimi", Model = "kimi-m1" }).SetName("Query_FilterModel_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { TaskType = TaskType.CodeGeneration }).SetName("Query_FilterTask_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { Route = "fast" }).SetName("Query_FilterRoute_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { TenantId = "tenant-a" }).SetName("Query_FilterTenant_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { CallerUid = 1001 }).SetName("Query_FilterCallerUid_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { CallerUnit = "worker.service" }).SetName("Query_FilterCallerUnit_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { Door = FrontDoors.OpenAi }).SetName("Query_FilterDoorOpenAi_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { Door = FrontDoors.Grpc }).SetName("Query_FilterDoorGrpc_MatchesInMemoryFilter");
        yield return new TestCaseData(new StatsFilter { Provider = "nobody" }).SetName("Query_FilterMatchingNothing_ReturnsZeros");
    }

    [TestCaseSource(nameof(Filters))]
    public void Query_Filter(StatsFilter filter)
    {
        StatsGroup total = _stats.Query(All(filter: filter), 0).Total;

        Assert.That(total, Is.EqualTo(Expected(r => StatsFilters.Matches(filter, r))));
    }

    [Test]
    public void Query_TimeRange_CountsRowsInsideItInclusive()
    {
        long since = _rows[100].Time.ToUnixTimeMilliseconds();
        long until = _rows[199].Time.ToUnixTimeMilliseconds();

        StatsGroup total = _stats.Query(new GetStatsRequest { SinceUnixMs = since, UntilUnixMs = until }, 0).Total;

        Assert.That(total, Is.EqualTo(Expected(r => r.Time.ToUnixTimeMilliseconds() >= since && r.Time.ToUnixTimeMilliseconds() <= until)));
        Assert.That(total.Requests, Is.EqualTo(100UL));
    }

    [Test]
    public void Query_Latencies_AreNearestRankP50AndP95()
    {
        List<ulong> sorted = [.. _rows.Select(r => (ulong)(r.Latency.Ticks / TimeSpan.TicksPerMicrosecond)).Order()];

        StatsGroup total = _stats.Query(All(), 0).Total;

        Assert.That(total.LatencyP50Us, Is.EqualTo(sorted[249]), "ceil(0.50 × 500) = 250th");
        Assert.That(total.LatencyP95Us, Is.EqualTo(sorted[474]), "ceil(0.95 × 500) = 475th");
    }

    [Test]
    public void Query_UnpricedSuccessfulRow_MarksGroupUnpriced()
    {
        GetStatsResponse response = _stats.Query(All(GroupBy.Provider), 0);

        Assert.That(response.Groups.Single(g => g.Key == "local").Cost.Priced, Is.False);
        Assert.That(response.Groups.Single(g => g.Key == "kimi").Cost.Priced, Is.True);
        Assert.That(response.Total.Cost.Priced, Is.False);
    }

    [Test]
    public async Task Reset_ThenReopen_WindowSurvivesAndCountsOnlyNewRows()
    {
        long firstWindow = _stats.Query(new GetStatsRequest(), 0).WindowStartUnixMs;
        await _stats.RecordAsync(LedgerTestData.Row(RowCount + 1, _time.GetUtcNow()), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        ResetStatsResponse reset = _stats.Reset();
        Assert.That(reset.PreviousWindowStartUnixMs, Is.EqualTo(firstWindow));
        Assert.That(reset.PreviousTotal.Requests, Is.EqualTo(1UL), "only the row inside the closed window");
        Assert.That(reset.WindowStartUnixMs, Is.EqualTo(_time.GetUtcNow().ToUnixTimeMilliseconds()));
        _time.Advance(TimeSpan.FromMinutes(1));
        await _stats.RecordAsync(LedgerTestData.Row(RowCount, _time.GetUtcNow()), CancellationToken.None);
        await _writer.DisposeAsync();

        _writer = new LedgerWriter(Path.Combine(_dir, "ledger.db"), new LedgerOptions(), _time, NullLogger.Instance);
        _writer.Start();
        _stats = new LedgerStatsStore(_writer, _time);
        GetStatsResponse current = _stats.Query(new GetStatsRequest(), 0);

        Assert.That(current.WindowStartUnixMs, Is.EqualTo(reset.WindowStartUnixMs));
        Assert.That(current.Total.Requests, Is.EqualTo(1UL), "the current window after a restart");
        Assert.That(_stats.Query(All(), 0).Total.Requests, Is.EqualTo((ulong)RowCount + 2), "the ledger itself is never deleted");
    }
}
