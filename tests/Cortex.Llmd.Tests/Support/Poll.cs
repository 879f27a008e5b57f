using System.Diagnostics;

namespace Cortex.Llmd.Tests.Support;

/// <summary>Waiting for something another thread or process brings about, failing the test by name if it never comes.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        TimeSpan limit = within ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(limit), what);
            await Task.Delay(20);
        }
    }
}
