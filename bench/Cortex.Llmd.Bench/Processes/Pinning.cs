using System.Diagnostics;
using System.Globalization;

namespace Cortex.Llmd.Bench.Processes;

/// <summary>
/// With taskset and at least two cores, the gateway under test gets core 0 and the generator and the mock
/// share core 1, so neither side's CPU use steals the other's. Without, everything floats (and the report says so).
/// </summary>
internal sealed class Pinning
{
    public const int GatewayCore = 0;
    public const int GeneratorCore = 1;

    private Pinning(bool enabled, string description)
    {
        Enabled = enabled;
        Description = description;
    }

    public bool Enabled { get; }

    public string Description { get; }

    public static Pinning Detect(bool disabled)
    {
        if (disabled)
        {
            return new Pinning(false, "off (--no-pin): every process floats over all cores");
        }

        if (Environment.ProcessorCount < 2 || !File.Exists("/usr/bin/taskset") && !File.Exists("/bin/taskset"))
        {
            return new Pinning(false, "off (taskset missing or fewer than 2 cores): every process floats");
        }

        return new Pinning(true, $"taskset: gateway under test on core {GatewayCore}, generator and mock on core {GeneratorCore}");
    }

    /// <summary>The command prefix that runs a program on <paramref name="core"/>; empty when pinning is off.</summary>
    public IEnumerable<string> Prefix(int core) =>
        Enabled ? ["taskset", "-c", core.ToString(CultureInfo.InvariantCulture)] : [];

    /// <summary>Moves every thread of this process to the generator's core.</summary>
    public void PinSelf()
    {
        if (!Enabled)
        {
            return;
        }

        using Process? taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", GeneratorCore.ToString(CultureInfo.InvariantCulture), Environment.ProcessId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        });
        taskset?.WaitForExit();
    }
}
