using System.Diagnostics;

namespace Cortex.Llmd.Bench.Report;

/// <summary>The machine header of the report: what a reader needs to compare two runs.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Memory, string Kernel, string Dotnet, string Node, string Date, string TmpFileSystem)
{
    public static MachineInfo Read(string workDir) => new(
        CpuModel(),
        Environment.ProcessorCount,
        MemTotal(),
        Run("uname", "-r"),
        Run("dotnet", "--version"),
        Run("node", "--version"),
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        Run("stat", "-f", "-c", "%T", workDir));

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    private static string MemTotal()
    {
        string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? "unknown" : Format.Bytes(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024);
    }

    /// <summary>One line of a command's output, or "unknown" when it cannot run.</summary>
    private static string Run(string program, params string[] args)
    {
        try
        {
            using Process? process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return "unknown";
            }

            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }
}
