using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Model;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Budgets;

/// <summary>"cloud/m" costs 1,000,000 nano-USD ($0.001) a token both ways (see <see cref="BudgetGuardTests.Options"/>).</summary>
public class ReservationMeterTests
{
    private static readonly IReadOnlyList<string> GlobalOnly = [SpendKeys.Global];
    private static readonly BudgetOptions Budget = new("g", BudgetScope.Global, string.Empty, 1_000_000_000, null);

    private static (SpendBook Book, ReservationMeter Meter) Start(long reserved, long maxOutput = 10)
    {
        var book = new SpendBook(new ManualTimeProvider(new DateTimeOffset(2027, 1, 15, 12, 0, 0, TimeSpan.Zero)));
        Reservation reservation = book.TryReserve([Budget], GlobalOnly, reserved, _ => false).Reservation!;
        DaemonOptions options = BudgetGuardTests.Options([Budget]);
        return (book, new ReservationMeter(book, reservation, maxOutput, options));
    }

    [Test]
    public void Report_EarlyInputAboveReservation_RaisesItWithMaxOutputStillToCome()
    {
        (SpendBook book, ReservationMeter meter) = Start(reserved: 5_000_000);

        meter.For(new TargetRef("cloud", "m")).Report(new Usage { InputTokens = 100 }, final: false);

        Assert.That((meter.Current.NanoUsd, book.Reserved(SpendKeys.Global)), Is.EqualTo((110_000_000L, 110_000_000L)), "100 input + 10 max output tokens");
    }

    [Test]
    public void Report_FinalUsageBelowReservation_NeverLowersIt()
    {
        (SpendBook book, ReservationMeter meter) = Start(reserved: 50_000_000);

        meter.For(new TargetRef("cloud", "m")).Report(new Usage { InputTokens = 1, OutputTokens = 1 }, final: true);

        Assert.That((meter.Current.NanoUsd, book.Reserved(SpendKeys.Global)), Is.EqualTo((50_000_000L, 50_000_000L)), "a fallback may still need it");
    }

    [Test]
    public void Report_UnpricedTarget_LeavesReservationAlone()
    {
        (SpendBook book, ReservationMeter meter) = Start(reserved: 5_000_000);

        meter.For(new TargetRef("local", "l")).Report(new Usage { InputTokens = 1_000_000 }, final: true);

        Assert.That(book.Reserved(SpendKeys.Global), Is.EqualTo(5_000_000));
    }

    [Test]
    public void Settle_RaisedReservation_ReleasesAllOfIt()
    {
        (SpendBook book, ReservationMeter meter) = Start(reserved: 5_000_000);
        meter.For(new TargetRef("cloud", "m")).Report(new Usage { InputTokens = 100 }, final: false);
        meter.For(new TargetRef("cloud", "m")).Report(new Usage { InputTokens = 100, OutputTokens = 3 }, final: true);

        book.Settle(meter.Current, GlobalOnly, 103_000_000, [Budget]);

        Assert.That((book.Reserved(SpendKeys.Global), book.Spent(SpendKeys.Global, BudgetPeriod.Daily)), Is.EqualTo((0L, 103_000_000L)));
    }

    [Test]
    public void TryReserve_AfterAnotherRequestsReservationWasRaised_SeesTheRaisedAmount()
    {
        (SpendBook book, ReservationMeter meter) = Start(reserved: 5_000_000);
        meter.For(new TargetRef("cloud", "m")).Report(new Usage { InputTokens = 1_000 }, final: false);

        Exhaustion? exhausted = book.TryReserve([Budget], GlobalOnly, 5_000_000, _ => false).Exhausted;

        Assert.That(exhausted?.Reserved, Is.EqualTo(1_010_000_000), "1,000 input + 10 output tokens in flight exhaust the $1 budget");
    }
}
