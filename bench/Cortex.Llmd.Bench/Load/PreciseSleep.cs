using System.Runtime.InteropServices;

namespace Cortex.Llmd.Bench.Load;

/// <summary>
/// Sleeps with nanosleep(2), accurate to the kernel's timer slack (50 µs by default), where Thread.Sleep
/// rounds to whole milliseconds. The open-loop scheduler needs it: spinning would burn the core the
/// generator shares with the mock.
/// </summary>
internal static partial class PreciseSleep
{
    public static void For(long nanoseconds)
    {
        if (nanoseconds <= 0)
        {
            return;
        }

        var request = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = NanoSleep(in request, IntPtr.Zero);
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in Timespec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
