using System.Net.Sockets;
using Cortex.Llmd.Logging;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// The library's notifier, made safe to call from the watchdog and the reload: its Notify throws when
/// NOTIFY_SOCKET names nothing, and an exception there would stop the host (a failed background
/// service) or be lost in a signal handler. A failed send is logged once; the daemon carries on.
/// </summary>
public sealed class GuardedNotifier(ISystemdNotifier? inner, ILogger logger) : ISystemdNotifier
{
    private int _failureLogged;

    /// <summary>False when systemd does not run us (or NOTIFY_SOCKET is unset): every message is then a no-op.</summary>
    public bool IsEnabled => inner?.IsEnabled == true;

    public void Notify(ServiceState state)
    {
        if (inner is null || !inner.IsEnabled)
        {
            return;
        }

        try
        {
            inner.Notify(state);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or ArgumentException)
        {
            if (Interlocked.Exchange(ref _failureLogged, 1) == 0)
            {
                Log.NotifyFailed(logger, Environment.GetEnvironmentVariable("NOTIFY_SOCKET") ?? "NOTIFY_SOCKET", ex.Message);
            }
        }
    }
}
