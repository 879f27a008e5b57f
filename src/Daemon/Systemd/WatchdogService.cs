using System.Globalization;
using Cortex.Llmd.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Systemd;

/// <summary>Is the request pipeline alive? Implemented by a real call through the daemon's own socket.</summary>
public interface ILivenessProbe
{
    Task<bool> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>The watchdog interval systemd asked for (WATCHDOG_USEC), when it is meant for us (WATCHDOG_PID).</summary>
public static class WatchdogSettings
{
    public static TimeSpan? Interval(Func<string, string?> getVariable, int processId)
    {
        if (!long.TryParse(getVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long usec) || usec <= 0)
        {
            return null;
        }

        string? pid = getVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid)
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int watched) || watched != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec);
    }
}

/// <summary>
/// Sends WATCHDOG=1 every half of the watchdog interval, but only after a liveness probe through the
/// request pipeline succeeded within a quarter of the interval. A wedged pipeline therefore stops the
/// pings and systemd's watchdog fires, which a bare timer could never cause.
/// </summary>
public sealed class WatchdogService(TimeSpan interval, ILivenessProbe probe, ISystemdNotifier notifier, TimeProvider time, ILogger<WatchdogService> logger)
    : BackgroundService
{
    private bool _failing;

    public TimeSpan Period => interval / 2;

    public TimeSpan ProbeTimeout => interval / 4;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(stoppingToken);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            await WarmUpAsync(stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: systemd no longer expects pings once STOPPING=1 was sent.
        }
    }

    /// <summary>
    /// One untimed-verdict probe before the first tick: the first call through the pipeline pays for the
    /// connection and, in a JIT build, for compiling the client and server paths. That cost says nothing
    /// about liveness and must not count against the quarter-interval budget of the real probes.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(Period, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await probe.CheckAsync(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Its verdict is not used: the ticks decide, each with its own probe.
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        bool alive;
        using (var timeout = new CancellationTokenSource(ProbeTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token))
        {
            try
            {
                alive = await probe.CheckAsync(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                alive = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                alive = false;
            }
        }

        if (alive)
        {
            if (_failing)
            {
                _failing = false;
                Log.WatchdogRecovered(logger);
            }

            notifier.Notify(Notifications.Watchdog);
        }
        else if (!_failing)
        {
            _failing = true;
            Log.WatchdogProbeFailed(logger, ProbeTimeout.TotalMilliseconds);
        }
    }
}
