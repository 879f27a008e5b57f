using Cortex.Llmd.Access;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Access;

public class CallerLogThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private ManualTimeProvider _time = null!;
    private CallerLogThrottle _throttle = null!;

    [SetUp]
    public void Create()
    {
        _time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        _throttle = new CallerLogThrottle(_time, Window);
    }

    [Test]
    public void ShouldLog_ManyRefusalsInOneWindow_LogsOnlyTheFirst()
    {
        int logged = Enumerable.Range(0, 1000).Count(i => _throttle.ShouldLog(1000, "rate", out long _));

        Assert.That(logged, Is.EqualTo(1));
    }

    [Test]
    public void ShouldLog_NextWindow_LogsAgainWithTheCountHeldBack()
    {
        for (int i = 0; i < 10; i++)
        {
            _throttle.ShouldLog(1000, "rate", out _);
        }

        _time.Advance(Window);

        Assert.That(_throttle.ShouldLog(1000, "rate", out long held), Is.True);
        Assert.That(held, Is.EqualTo(9));
    }

    [Test]
    public void ShouldLog_OtherCallerOrOtherKind_HasItsOwnAllowance()
    {
        _throttle.ShouldLog(1000, "rate", out _);

        Assert.That(_throttle.ShouldLog(1001, "rate", out _), Is.True);
        Assert.That(_throttle.ShouldLog(1000, "admin", out _), Is.True);
        Assert.That(_throttle.ShouldLog(1000, "rate", out _), Is.False);
    }

    [Test]
    public void ShouldLog_CallersGoneQuiet_AreForgotten()
    {
        for (uint uid = 1; uid <= 300; uid++)
        {
            _throttle.ShouldLog(uid, "rate", out _);
        }

        _time.Advance(Window * 2);
        _throttle.ShouldLog(5000, "rate", out _);

        Assert.That(_throttle.EntryCount, Is.EqualTo(1));
    }
}
