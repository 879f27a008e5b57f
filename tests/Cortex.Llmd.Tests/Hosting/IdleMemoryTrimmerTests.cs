using Cortex.Llmd.Hosting;

namespace Cortex.Llmd.Tests.Hosting;

public class IdleMemoryTrimmerTests
{
    [TestCase(IdleMemoryTrimmer.BurstBytes, 0, true)]
    [TestCase(IdleMemoryTrimmer.BurstBytes - 1, 0, false)]
    [TestCase(IdleMemoryTrimmer.BurstBytes * 4, IdleMemoryTrimmer.QuietBytes, false)]
    [TestCase(IdleMemoryTrimmer.BurstBytes * 4, IdleMemoryTrimmer.QuietBytes - 1, true)]
    public void ShouldTrim_AllocationCounters_TrimsOnlyAfterABurstWhenQuiet(long sinceTrim, long sinceTick, bool expected) =>
        Assert.That(IdleMemoryTrimmer.ShouldTrim(sinceTrim, sinceTick), Is.EqualTo(expected));
}
