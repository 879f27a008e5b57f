using Cortex.Llmd.Logging;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Logging;

public class LineBudgetTests
{
    [Test]
    public void TryTake_BurstSpent_RefusesUntilTimeRefills()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new LineBudget(time);

        int written = Enumerable.Range(0, 100).Count(i => budget.TryTake("Cat", 7, out long _));
        Assert.That(written, Is.EqualTo(LineBudget.Burst));

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.That(Enumerable.Range(0, 100).Count(i => budget.TryTake("Cat", 7, out long _)), Is.EqualTo(3));
    }

    [Test]
    public void TryTake_AfterSuppression_ReportsHowManyWereDropped()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new LineBudget(time);
        for (int i = 0; i < LineBudget.Burst + 5; i++)
        {
            budget.TryTake("Cat", 1, out _);
        }

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(budget.TryTake("Cat", 1, out long suppressed), Is.True);
        Assert.That(suppressed, Is.EqualTo(5));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(budget.TryTake("Cat", 1, out suppressed), Is.True);
        Assert.That(suppressed, Is.Zero);
    }

    [Test]
    public void TryTake_OtherEvent_HasItsOwnBucket()
    {
        var budget = new LineBudget(new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        for (int i = 0; i < LineBudget.Burst; i++)
        {
            budget.TryTake("Cat", 1, out _);
        }

        Assert.That(budget.TryTake("Cat", 1, out _), Is.False);
        Assert.That(budget.TryTake("Cat", 2, out _), Is.True);
        Assert.That(budget.TryTake("Other", 1, out _), Is.True);
    }
}
