using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// The sd_notify states the daemon sends itself, beyond the READY=1 and STOPPING=1 that
/// <see cref="SystemdLifetime"/> sends at start and stop. Each is one datagram through the library's
/// <see cref="ISystemdNotifier"/>.
/// </summary>
public static class Notifications
{
    public static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <summary>One human-readable line: a newline would start a new assignment, so line ends become spaces.</summary>
    public static ServiceState Status(string text) => new("STATUS=" + text.ReplaceLineEndings(" "));

    /// <summary>What Type=notify-reload expects before a reload: the reload's start on CLOCK_MONOTONIC.</summary>
    public static ServiceState Reloading(long monotonicMicroseconds) =>
        new("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicroseconds.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// CLOCK_MONOTONIC in microseconds, the clock MONOTONIC_USEC refers to. On Linux the Stopwatch
    /// timestamp is that clock in nanoseconds, so no libc call is needed.
    /// </summary>
    public static long MonotonicMicroseconds() => Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);
}
