using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Events;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Ledger;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Budgets;

public class SpendBookTests
{
    private static readonly DateTimeOffset LateOnJan31 = new(2027, 1, 31, 23, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<string> GlobalOnly = [SpendKeys.Global];

    private static BudgetOptions Global(long? daily, long? monthly, string name = "g") => new(name, BudgetScope.Global, string.Empty, daily, monthly);

    private static Exhaustion? Check(SpendBook book, BudgetOptions budget, long worstCase = 0) =>
        book.TryReserve([budget], GlobalOnly, worstCase, _ => false).Exhausted;

    [Test]
    public void TryReserve_SpentOneBelowLimit_Admits()
    {
        var book = new SpendBook(new ManualTimeProvider(LateOnJan31));
        BudgetOptions budget = Global(daily: 1000, monthly: null);
        book.Settle(Reservation.None, GlobalOnly, 999, [budget]);

        Assert.That(Check(book, budget), Is.Null);
    }

    [Test]
    public void TryReserve_SpentExactlyAtLimit_IsExhausted()
    {
        var book = new SpendBook(new ManualTimeProvider(LateOnJan31));
        BudgetOptions budget = Global(daily: 1000, monthly: null);
        book.Settle(Reservation.None, GlobalOnly, 1000, [budget]);

        Exhaustion? exhausted = Check(book, budget);

        Assert.That(exhausted, Is.EqualTo(new Exhaustion(budget, BudgetPeriod.Daily, 1000, 0, 1000)));
    }

    [Test]
    public void TryReserve_ReservedPlusSpentAtLimit_IsExhaustedUntilSettled()
    {
        var book = new SpendBook(new ManualTimeProvider(LateOnJan31));
        BudgetOptions budget = Global(daily: null, monthly: 1000);
        Reservation held = book.TryReserve([budget], GlobalOnly, 1000, _ => false).Reservation!;

        Assert.That(Check(book, budget)?.Reserved, Is.EqualTo(1000));
        book.Settle(held, GlobalOnly, 400, [budget]);
        Assert.That(Check(book, budget), Is.Null, "the settled request spent 400 of its 1000 reservation");
        Assert.That((book.Spent(SpendKeys.Global, BudgetPeriod.Monthly), book.Reserved(SpendKeys.Global)), Is.EqualTo((400L, 0L)));
    }

    [Test]
    public async Task TryReserve_ConcurrentBurstOf50_OnlyTenWorstCasesProceedAndSpendStaysWithinLimit()
    {
        const long worst = 1_000_000;
        var book = new SpendBook(new ManualTimeProvider(LateOnJan31));
        BudgetOptions budget = Global(daily: 10 * worst, monthly: null);
        using var start = new ManualResetEventSlim();

        Task<Reservation?>[] burst = [.. Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return book.TryReserve([budget], GlobalOnly, worst, _ => false).Reservation;
        }))];
        start.Set();
        Reservation?[] results = await Task.WhenAll(burst);
        Reservation[] admitted = [.. results.OfType<Reservation>()];
        foreach (Reservation reservation in admitted)
        {
            book.Settle(reservation, GlobalOnly, worst, [budget]); // each spends its whole worst case
        }

        Assert.That(admitted, Has.Length.EqualTo(10));
        Assert.That(book.Spent(SpendKeys.Global, BudgetPeriod.Daily), Is.LessThanOrEqualTo(10 * worst));
        Assert.That(book.Reserved(SpendKeys.Global), Is.Zero);
    }

    [Test]
    public void Settle_NewUtcDay_ResetsDailyButNotMonthly_NewMonthResetsBoth()
    {
        var time = new ManualTimeProvider(LateOnJan31.AddDays(-1));
        var book = new SpendBook(time);
        BudgetOptions budget = Global(daily: 100, monthly: 1000);
        book.Settle(Reservation.None, GlobalOnly, 100, [budget]);
        Assert.That(Check(book, budget)?.Period, Is.EqualTo(BudgetPeriod.Daily));

        time.Advance(TimeSpan.FromHours(2)); // Jan 31, 01:00
        Assert.That((book.Spent(SpendKeys.Global, BudgetPeriod.Daily), book.Spent(SpendKeys.Global, BudgetPeriod.Monthly)), Is.EqualTo((0L, 100L)));
        Assert.That(Check(book, budget), Is.Null);

        time.Advance(TimeSpan.FromHours(23)); // Feb 1, 00:00
        Assert.That((book.Spent(SpendKeys.Global, BudgetPeriod.Daily), book.Spent(SpendKeys.Global, BudgetPeriod.Monthly)), Is.EqualTo((0L, 0L)));
    }

    [Test]
    public void Settle_CrossingThresholds_ReportsEightyAndHundredOncePerPeriod()
    {
        var time = new ManualTimeProvider(LateOnJan31.AddDays(-1));
        var book = new SpendBook(time);
        BudgetOptions budget = Global(daily: 100, monthly: null);
        IReadOnlyList<BudgetOptions> budgets = [budget];

        Assert.That(book.Settle(Reservation.None, GlobalOnly, 79, budgets), Is.Empty);
        Assert.That(book.Settle(Reservation.None, GlobalOnly, 1, budgets).Select(c => c.Percent), Is.EqualTo(new uint[] { 80 }));
        Assert.That(book.Settle(Reservation.None, GlobalOnly, 10, budgets), Is.Empty);
        Assert.That(book.Settle(Reservation.None, GlobalOnly, 10, budgets).Select(c => (c.Percent, c.Spent, c.Limit)), Is.EqualTo(new[] { (100u, 100L, 100L) }));
        Assert.That(book.Settle(Reservation.None, GlobalOnly, 50, budgets), Is.Empty);

        time.Advance(TimeSpan.FromDays(1));
        Assert.That(book.Settle(Reservation.None, GlobalOnly, 100, budgets).Select(c => c.Percent), Is.EqualTo(new uint[] { 80, 100 }), "a new day fires again");
    }

    [Test]
    public async Task Settle_ThroughGuard_PublishesBudgetThresholdEventsOnce()
    {
        var time = new ManualTimeProvider(LateOnJan31);
        var hub = new EventHub(time);
        using EventSubscription subscription = hub.Subscribe([EventKind.BudgetThreshold]);
        var guard = new BudgetGuard(new SpendBook(time), new FixedSpendSource([]), hub, NullLogger<BudgetGuard>.Instance);
        var options = BudgetGuardTests.Options([Global(daily: null, monthly: 1000, name: "month")]);

        guard.Settle(Reservation.None, string.Empty, CallerInfo.Unknown, 850, options);
        guard.Settle(Reservation.None, string.Empty, CallerInfo.Unknown, 10, options);
        guard.Settle(Reservation.None, string.Empty, CallerInfo.Unknown, 200, options);

        Event first = await subscription.ReadAsync(CancellationToken.None);
        Event second = await subscription.ReadAsync(CancellationToken.None);
        Assert.That(first.BudgetThreshold, Is.EqualTo(new BudgetThreshold { Budget = "month", Period = "monthly", Percent = 80, SpentNanoUsd = 850, LimitNanoUsd = 1000 }));
        Assert.That(second.BudgetThreshold, Is.EqualTo(new BudgetThreshold { Budget = "month", Period = "monthly", Percent = 100, SpentNanoUsd = 1060, LimitNanoUsd = 1000 }));
        using var quiet = new CancellationTokenSource(200);
        Assert.That(async () => await subscription.ReadAsync(quiet.Token), Throws.InstanceOf<OperationCanceledException>(), "no third event");
    }

    [Test]
    public async Task Load_LedgerRows_CountsThisDayAndMonthPerScopeOnly()
    {
        string dir = TempDirectory.Create();
        try
        {
            var now = new DateTimeOffset(2027, 3, 15, 12, 0, 0, TimeSpan.Zero);
            using (LedgerStore store = LedgerTestData.Open(Path.Combine(dir, "ledger.db"), new ManualTimeProvider(now)))
            {
                store.Write(
                [
                    Row("today-1", now.AddHours(-1), "acme", 1000, "a.service", 7),
                    Row("today-2", now.AddHours(-12), "other", 1000, string.Empty, 11),
                    Row("this-month", new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero), "acme", 2000, string.Empty, 100),
                    Row("last-month", new DateTimeOffset(2027, 2, 28, 23, 59, 59, TimeSpan.Zero), "acme", 1000, "a.service", 10_000),
                ], storePrompts: false);
            }

            var book = new SpendBook(new ManualTimeProvider(now));
            await using var writer = new LedgerWriter(Path.Combine(dir, "ledger.db"), new LedgerOptions(), new ManualTimeProvider(now), NullLogger.Instance);
            writer.Start();
            int callers = book.Load(new LedgerSpendSource(writer));

            Assert.That(callers, Is.EqualTo(3), "(acme, 1000, a.service), (other, 1000, ''), (acme, 2000, '') this month");

            Assert.That(book.Spent("global", BudgetPeriod.Daily), Is.EqualTo(18));
            Assert.That(book.Spent("global", BudgetPeriod.Monthly), Is.EqualTo(118));
            Assert.That(book.Spent("tenant:acme", BudgetPeriod.Monthly), Is.EqualTo(107));
            Assert.That(book.Spent("uid:1000", BudgetPeriod.Daily), Is.EqualTo(18));
            Assert.That(book.Spent("uid:2000", BudgetPeriod.Daily), Is.Zero);
            Assert.That(book.Spent("unit:a.service", BudgetPeriod.Monthly), Is.EqualTo(7));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Test]
    public void Load_SourceRows_AddsMonthAndDayToEveryKeyOfEachCaller()
    {
        var book = new SpendBook(new ManualTimeProvider(LateOnJan31));
        var source = new FixedSpendSource([new RecordedSpend("acme", 7, "a.service", 100, 30), new RecordedSpend(string.Empty, null, string.Empty, 5, 0)]);

        int callers = book.Load(source);

        Assert.That(callers, Is.EqualTo(2));
        Assert.That(source.Asked, Is.EqualTo((new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero))));
        Assert.That((book.Spent("global", BudgetPeriod.Monthly), book.Spent("global", BudgetPeriod.Daily)), Is.EqualTo((105L, 30L)));
        Assert.That((book.Spent("tenant:acme", BudgetPeriod.Monthly), book.Spent("uid:7", BudgetPeriod.Daily), book.Spent("unit:a.service", BudgetPeriod.Daily)), Is.EqualTo((100L, 30L, 30L)));
    }

    [Test]
    public void Load_SourceUnavailable_ThrowsAndAddsNothing()
    {
        var book = new SpendBook(new ManualTimeProvider(LateOnJan31));

        Assert.Throws<SpendUnavailableException>(() => book.Load(new FixedSpendSource(null)));
        Assert.That(book.Spent("global", BudgetPeriod.Monthly), Is.Zero);
    }

    [Test]
    public async Task Load_LedgerDegraded_SourceSaysUnavailableWithTheReason()
    {
        string dir = TempDirectory.Create();
        try
        {
            string blocker = Path.Combine(dir, "state");
            await File.WriteAllTextAsync(blocker, "a file where the ledger's directory should be");
            await using var writer = new LedgerWriter(Path.Combine(blocker, "ledger.db"), new LedgerOptions(), new ManualTimeProvider(LateOnJan31), NullLogger.Instance);
            writer.Start();

            var error = Assert.Throws<SpendUnavailableException>(() => new SpendBook(new ManualTimeProvider(LateOnJan31)).Load(new LedgerSpendSource(writer)))!;

            Assert.That(error.Message, Does.StartWith("ledger unavailable: ").And.Contains(writer.Health.Reason));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    private static RequestRecord Row(string id, DateTimeOffset time, string tenant, uint uid, string unit, long cost) =>
        LedgerTestData.Row(1, time) with
        {
            RequestId = id,
            TenantId = tenant,
            Caller = new CallerInfo(uid, 100, 1, "p", unit),
            Cost = new Cost { NanoUsd = cost, Priced = true },
        };
}

/// <summary>Spend as a test sets it; null answers "unavailable". Remembers the period it was asked for.</summary>
internal sealed class FixedSpendSource(IReadOnlyList<RecordedSpend>? spend) : ISpendSource
{
    public (DateTimeOffset Period, DateTimeOffset Recent)? Asked { get; private set; }

    public IReadOnlyList<RecordedSpend> Read(DateTimeOffset periodStart, DateTimeOffset recentStart)
    {
        Asked = (periodStart, recentStart);
        return spend ?? throw new SpendUnavailableException("no source in this test");
    }
}
