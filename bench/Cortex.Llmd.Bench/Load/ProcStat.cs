using System.Globalization;

namespace Cortex.Llmd.Bench.Load;

/// <summary>What /proc says about a process: CPU time (utime + stime of all its threads) and memory.</summary>
internal static class ProcStat
{
    /// <summary>Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on (USER_HZ).</summary>
    public const double TicksPerSecond = 100;

    /// <summary>utime + stime in microseconds; NaN when the process is gone.</summary>
    public static double CpuMicros(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return double.NaN;
        }

        // The command name, field 2, is in parentheses and may hold spaces: count fields after its ')'.
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) * 1_000_000.0 / TicksPerSecond;
    }

    public static double SelfCpuMicros() => CpuMicros(Environment.ProcessId);

    /// <summary>A /proc/PID/status field in kB (VmRSS, VmHWM) as bytes; 0 when missing.</summary>
    public static long MemoryBytes(int pid, string field)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
                {
                    return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
