using Microsoft.Extensions.Hosting;

namespace Cortex.Llmd.Hosting;

/// <summary>
/// Gives memory back after a burst. The GC decommits freed memory only while it runs, and an idle
/// daemon allocates nothing, so after a flood (a reset storm, thousands of calls) the high-water mark
/// would stay resident until the next busy period. Every <see cref="Interval"/> this looks at how much was
/// allocated: a burst (at least <see cref="BurstBytes"/> since the last trim) followed by a quiet interval
/// (under <see cref="QuietBytes"/>) gets one aggressive, decommitting collection. Under steady load the
/// quiet condition never holds, so the request path never pays for it.
/// </summary>
public sealed class IdleMemoryTrimmer(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public const long BurstBytes = 4L * 1024 * 1024;

    public const long QuietBytes = 1024L * 1024;

    private long _atLastTrim = GC.GetTotalAllocatedBytes();
    private long _atLastTick = GC.GetTotalAllocatedBytes();

    /// <summary>True when the allocation counters say a burst has just ended.</summary>
    public static bool ShouldTrim(long sinceTrim, long sinceTick) => sinceTrim >= BurstBytes && sinceTick < QuietBytes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                long now = GC.GetTotalAllocatedBytes();
                if (ShouldTrim(now - _atLastTrim, now - _atLastTick))
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    _atLastTrim = GC.GetTotalAllocatedBytes();
                }

                _atLastTick = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
