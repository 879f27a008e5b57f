using Cortex.Llmd.Access;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Access;

public class CallerRateLimiterTests
{
    private static readonly RateLimitOptions TenPerSecond = new() { RequestsPerSecond = 10, Burst = 3 };

    private ManualTimeProvider _time = null!;
    private CallerRateLimiter _limiter = null!;

    [SetUp]
    public void Create()
    {
        _time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        _limiter = new CallerRateLimiter(_time);
    }

    [TearDown]
    public void Dispose() => _limiter.Dispose();

    private int Allowed(uint? uid, int tries, RateLimitOptions? options = null) =>
        Enumerable.Range(0, tries).Count(i => _limiter.TryAcquire(uid, options ?? TenPerSecond).IsAllowed);

    [Test]
    public void TryAcquire_BurstUsedUp_RefusesWithTheTimeToTheNextToken()
    {
        Assert.That(Allowed(1000, 3), Is.EqualTo(3));
        _time.Advance(TimeSpan.FromMilliseconds(30));

        RateDecision refused = _limiter.TryAcquire(1000, TenPerSecond);

        Assert.That(refused.IsAllowed, Is.False);
        Assert.That(refused.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(70)));
    }

    [Test]
    public void TryAcquire_AfterOnePeriod_OneMoreCallPasses()
    {
        Allowed(1000, 3);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.That(Allowed(1000, 5), Is.EqualTo(1));
    }

    [Test]
    public void TryAcquire_LongIdle_RefillsToTheBurstAndNoFurther()
    {
        Allowed(1000, 3);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.That(Allowed(1000, 10), Is.EqualTo(3));
    }

    [Test]
    public void TryAcquire_SteadyCallerAtTheRate_IsNeverRefused()
    {
        int allowed = 0;
        for (int i = 0; i < 100; i++)
        {
            allowed += Allowed(1000, 1);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.That(allowed, Is.EqualTo(100));
    }

    [Test]
    public void TryAcquire_OneCallerExhausted_OthersKeepTheirOwnBucket()
    {
        Allowed(1000, 10);

        Assert.That(Allowed(1001, 3), Is.EqualTo(3));
        Assert.That(Allowed(null, 3), Is.EqualTo(3), "callers of unknown identity share one bucket of their own");
        Assert.That(Allowed(1000, 1), Is.Zero);
    }

    [Test]
    public void TryAcquire_Disabled_AllowsEverythingAndKeepsNoBucket()
    {
        var off = new RateLimitOptions { RequestsPerSecond = 0 };

        Assert.That(Allowed(1000, 1000, off), Is.EqualTo(1000));
        Assert.That(_limiter.BucketCount, Is.Zero);
    }

    [Test]
    public void TryAcquire_ManyCallersThenIdle_BucketsAreDropped()
    {
        for (uint uid = 1; uid <= 500; uid++)
        {
            Allowed(uid, 1);
        }

        Assert.That(_limiter.BucketCount, Is.EqualTo(500));
        _time.Advance(TimeSpan.FromSeconds(11));
        Allowed(9999, 1);

        Assert.That(_limiter.BucketCount, Is.EqualTo(1), "idle callers' full buckets are swept; only the new caller's remains");
    }

    [Test]
    public void TryAcquire_BusyCallerAtSweepTime_KeepsItsEmptyBucket()
    {
        Allowed(2000, 1);
        _time.Advance(TimeSpan.FromMilliseconds(9950));
        Allowed(1000, 3);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.That(Allowed(1000, 3), Is.EqualTo(1), "the sweep ran now and kept the bucket: one period refilled one token, not a fresh burst");
        Assert.That(_limiter.BucketCount, Is.EqualTo(1), "the idle caller's bucket went");
    }

    [Test]
    public void TryAcquire_NewLimitsFromAReload_StartEveryCallerWithAFullBucket()
    {
        Allowed(1000, 3);

        Assert.That(Allowed(1000, 10, new RateLimitOptions { RequestsPerSecond = 10, Burst = 5 }), Is.EqualTo(5));
    }
}
