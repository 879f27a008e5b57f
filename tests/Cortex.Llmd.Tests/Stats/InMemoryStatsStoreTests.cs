using Cortex.Llmd.Tests.Support.Stats;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Stats;

public class InMemoryStatsStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static RequestRecord Record(
        ManualTimeProvider time, string provider, string status = "OK", int attempts = 1, ulong input = 10, ulong output = 5, long nanoUsd = 100, int latencyMs = 10, uint uid = 1000)
    {
        var attemptList = Enumerable.Range(0, attempts).Select(_ => new Attempt { Provider = provider }).ToList();
        return new RequestRecord(
            time.GetUtcNow(), "r", TaskType.UserChat, "route", provider, "m", "tenant", new CallerInfo(uid, 100, 1, "proc", "unit.service"),
            status, attemptList, new Usage { InputTokens = input, OutputTokens = output, CachedInputTokens = 1 }, new Cost { NanoUsd = nanoUsd, Priced = true },
            TimeSpan.FromMilliseconds(latencyMs));
    }

    [Test]
    public void Query_GroupByProvider_TotalsEqualSumOfGroups()
    {
        var time = new ManualTimeProvider(Start);
        var store = new InMemoryStatsStore(time);
        time.Advance(TimeSpan.FromSeconds(1));
        store.Record(Record(time, "a", latencyMs: 10));
        store.Record(Record(time, "a", status: "UNAVAILABLE", attempts: 3, latencyMs: 30));
        store.Record(Record(time, "b", input: 7, nanoUsd: 1_000, latencyMs: 20));

        GetStatsResponse stats = store.Query(new GetStatsRequest { GroupBy = GroupBy.Provider }, inFlight: 2);

        Assert.That(stats.Groups.Select(g => g.Key), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(stats.Total.Requests, Is.EqualTo(3));
        Assert.That(stats.Total.Attempts, Is.EqualTo(5));
        Assert.That(stats.Total.Failures, Is.EqualTo(1));
        Assert.That(stats.Total.Fallbacks, Is.EqualTo(1));
        Assert.That(stats.Total.Usage.InputTokens, Is.EqualTo(27));
        Assert.That(stats.Total.Cost.NanoUsd, Is.EqualTo(1_200));
        Assert.That(stats.Total.Requests, Is.EqualTo(stats.Groups.Sum(g => (long)g.Requests)));
        Assert.That(stats.Total.Usage.OutputTokens, Is.EqualTo(stats.Groups.Sum(g => (long)g.Usage.OutputTokens)));
        Assert.That(stats.Total.LatencyP50Us, Is.EqualTo(20_000));
        Assert.That(stats.Total.LatencyP95Us, Is.EqualTo(30_000));
        Assert.That(stats.InFlight, Is.EqualTo(2));
    }

    [Test]
    public void Query_Filter_CountsOnlyMatchingRecords()
    {
        var time = new ManualTimeProvider(Start);
        var store = new InMemoryStatsStore(time);
        store.Record(Record(time, "a", uid: 1));
        store.Record(Record(time, "b", uid: 2));

        GetStatsResponse byUid = store.Query(new GetStatsRequest { Filter = new StatsFilter { CallerUid = 2 } }, 0);
        GetStatsResponse byProvider = store.Query(new GetStatsRequest { Filter = new StatsFilter { Provider = "a" } }, 0);

        Assert.That(byUid.Total.Requests, Is.EqualTo(1));
        Assert.That(byProvider.Total.Requests, Is.EqualTo(1));
    }

    [Test]
    public void Reset_StartsNewWindowButKeepsHistoryQueryable()
    {
        var time = new ManualTimeProvider(Start);
        var store = new InMemoryStatsStore(time);
        time.Advance(TimeSpan.FromMinutes(1));
        store.Record(Record(time, "a"));
        time.Advance(TimeSpan.FromMinutes(1));

        ResetStatsResponse reset = store.Reset();
        time.Advance(TimeSpan.FromMinutes(1));
        store.Record(Record(time, "b"));

        Assert.That(reset.PreviousTotal.Requests, Is.EqualTo(1));
        Assert.That(reset.WindowStartUnixMs, Is.EqualTo(Start.AddMinutes(2).ToUnixTimeMilliseconds()));
        Assert.That(store.Query(new GetStatsRequest(), 0).Total.Requests, Is.EqualTo(1), "current window");
        Assert.That(store.Query(new GetStatsRequest { SinceUnixMs = Start.ToUnixTimeMilliseconds() }, 0).Total.Requests, Is.EqualTo(2), "explicit range");
    }

    [Test]
    public void Record_PastCapacity_ForgetsOldest()
    {
        var time = new ManualTimeProvider(Start);
        var store = new InMemoryStatsStore(time, capacity: 2);
        store.Record(Record(time, "a"));
        store.Record(Record(time, "b"));
        store.Record(Record(time, "c"));

        GetStatsResponse stats = store.Query(new GetStatsRequest { GroupBy = GroupBy.Provider }, 0);

        Assert.That(stats.Groups.Select(g => g.Key), Is.EqualTo(new[] { "b", "c" }));
    }

    [TestCase(new ulong[] { 5 }, 50, 5UL)]
    [TestCase(new ulong[] { 1, 2, 3, 4 }, 50, 2UL)]
    [TestCase(new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 95, 10UL)]
    [TestCase(new ulong[] { }, 95, 0UL)]
    public void Percentile_SortedLatencies_UsesNearestRank(ulong[] values, int percent, ulong expected)
    {
        Assert.That(StatsAggregator.Percentile([.. values], percent), Is.EqualTo(expected));
    }
}
