using System.Runtime.InteropServices;

namespace Cortex.Llmd.Systemd;

/// <summary>The libc calls the systemd integration needs. Source-generated, so they stay AOT-clean.</summary>
internal static partial class SystemdNative
{
    private const int ClockMonotonic = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "getppid")]
    internal static partial int GetParentProcessId();

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    /// <summary>CLOCK_MONOTONIC in microseconds: the clock systemd's MONOTONIC_USEC refers to.</summary>
    internal static long MonotonicMicroseconds()
    {
        if (ClockGetTime(ClockMonotonic, out Timespec time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_MONOTONIC) failed");
        }

        return (time.Seconds * 1_000_000) + (time.Nanoseconds / 1_000);
    }
}
