using Cortex.Llmd.Health;

namespace Cortex.Llmd.Tests.Health;

public class CircuitBreakerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly BreakerOptions Options = new() { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(60), BreakDuration = TimeSpan.FromSeconds(30) };

    private static CircuitBreaker Closed() => new(Options, CircuitBreaker.Fresh(T0));

    [Test]
    public void Record_FailuresBelowMinimumThroughput_StaysClosed()
    {
        CircuitBreaker breaker = Closed();

        Assert.That(breaker.Record(false, T0, "x"), Is.Null);
        Assert.That(breaker.Record(false, T0, "x"), Is.Null);
        Assert.That(breaker.Record(false, T0, "x"), Is.Null);
        Assert.That(breaker.Peek(T0), Is.Null);
    }

    [Test]
    public void Record_FailureRatioReachedWithThroughput_OpensUntilBreakEnds()
    {
        CircuitBreaker breaker = Closed();
        breaker.Record(true, T0, "ok");
        breaker.Record(true, T0, "ok");
        breaker.Record(false, T0, "boom");

        BreakerSnapshot? opened = breaker.Record(false, T0.AddSeconds(1), "boom");

        Assert.That(opened!.State, Is.EqualTo(BreakerState.Open));
        Assert.That(opened.BlockedUntil, Is.EqualTo(T0.AddSeconds(31)));
        Assert.That(opened.Reason, Does.StartWith("2 of 4 calls failed within 60s"));
        Assert.That(breaker.Peek(T0.AddSeconds(10)), Does.StartWith("circuit open until 2026-11-01T12:00:31Z"));
    }

    [Test]
    public void Record_OldFailuresOutsideWindow_DoNotCount()
    {
        CircuitBreaker breaker = Closed();
        breaker.Record(false, T0, "old");
        breaker.Record(false, T0, "old");

        breaker.Record(true, T0.AddSeconds(61), "ok");
        breaker.Record(false, T0.AddSeconds(62), "new");
        BreakerSnapshot? result = breaker.Record(true, T0.AddSeconds(63), "ok");

        Assert.That(result, Is.Null, "only 1 of 3 recent calls failed and 3 is below the minimum throughput");
    }

    [Test]
    public void Record_ManyCallsInWindow_KeepsOneBucketPerTenth()
    {
        CircuitBreaker breaker = Closed();
        for (int i = 0; i < 120_000; i++)
        {
            breaker.Record(true, T0.AddMilliseconds(i), "ok"); // two minutes at 1,000 calls/s
        }

        IReadOnlyList<BreakerSample> buckets = breaker.Snapshot().Samples;

        Assert.That(buckets, Has.Count.InRange(10, 11), "a bucket per 6 s of the 60 s window, not a sample per call");
        Assert.That(buckets.Sum(b => b.Successes), Is.InRange(54_000, 60_000), "only the last minute is counted");
        Assert.That(buckets.Select(b => b.At), Is.Ordered);
    }

    [Test]
    public void Record_RestoredBuckets_CountTowardsOpening()
    {
        var restored = CircuitBreaker.Fresh(T0) with { Samples = [new BreakerSample(T0, 0, 3)] };
        var breaker = new CircuitBreaker(Options, restored);

        BreakerSnapshot? result = breaker.Record(true, T0.AddSeconds(1), "ok");

        Assert.That(result?.State, Is.EqualTo(BreakerState.Open), "3 restored failures and 1 success: 3 of 4 failed");
        Assert.That(result!.Reason, Does.StartWith("3 of 4 calls failed"));
    }

    [Test]
    public void Record_RestoredBucketsOutsideWindow_AreForgotten()
    {
        var restored = CircuitBreaker.Fresh(T0) with { Samples = [new BreakerSample(T0, 0, 30)] };
        var breaker = new CircuitBreaker(Options, restored);

        breaker.Record(false, T0.AddSeconds(61), "new");
        BreakerSnapshot? result = breaker.Record(true, T0.AddSeconds(62), "ok");

        Assert.That(result, Is.Null, "the 30 old failures left the window: 1 of 2 recent calls is below the minimum throughput");
        Assert.That(breaker.Snapshot().Samples.Sum(b => b.Failures), Is.EqualTo(1));
    }

    [Test]
    public void TryPass_AfterBreakDuration_HalfOpensAndAllowsExactlyOneTrial()
    {
        CircuitBreaker breaker = Opened();

        string? first = breaker.TryPass(T0.AddSeconds(40), out BreakerSnapshot? transition);
        string? second = breaker.TryPass(T0.AddSeconds(40), out _);

        Assert.That(first, Is.Null);
        Assert.That(transition!.State, Is.EqualTo(BreakerState.HalfOpen));
        Assert.That(second, Is.EqualTo("circuit half-open: a trial call is in flight"));
    }

    [TestCase(true, BreakerState.Closed)]
    [TestCase(false, BreakerState.Open)]
    public void Record_TrialOutcome_ClosesOrReopens(bool success, BreakerState expected)
    {
        CircuitBreaker breaker = Opened();
        breaker.TryPass(T0.AddSeconds(40), out _);

        BreakerSnapshot? result = breaker.Record(success, T0.AddSeconds(41), "trial");

        Assert.That(result!.State, Is.EqualTo(expected));
        Assert.That(breaker.Snapshot().State, Is.EqualTo(expected));
    }

    [Test]
    public void ProbeSucceeded_WhileOpen_HalfOpensBeforeBreakEnds()
    {
        CircuitBreaker breaker = Opened();

        BreakerSnapshot? result = breaker.ProbeSucceeded(T0.AddSeconds(5));

        Assert.That(result!.State, Is.EqualTo(BreakerState.HalfOpen));
        Assert.That(breaker.TryPass(T0.AddSeconds(5), out _), Is.Null);
    }

    [Test]
    public void Abandon_ClaimedTrial_FreesItForTheNextCall()
    {
        CircuitBreaker breaker = Opened();
        breaker.TryPass(T0.AddSeconds(40), out _);

        breaker.Abandon();

        Assert.That(breaker.TryPass(T0.AddSeconds(40), out _), Is.Null);
    }

    [Test]
    public void Snapshot_RestoredIntoNewBreaker_KeepsItOpenUntilBlockedUntil()
    {
        BreakerSnapshot saved = Opened().Snapshot();

        var restored = new CircuitBreaker(Options, saved);

        Assert.That(restored.Peek(T0.AddSeconds(29)), Does.StartWith("circuit open"));
        Assert.That(restored.Peek(T0.AddSeconds(31)), Is.Null);
    }

    private static CircuitBreaker Opened()
    {
        CircuitBreaker breaker = Closed();
        for (int i = 0; i < 4; i++)
        {
            breaker.Record(false, T0, "boom");
        }

        Assert.That(breaker.Snapshot().State, Is.EqualTo(BreakerState.Open), "precondition");
        return breaker;
    }
}
