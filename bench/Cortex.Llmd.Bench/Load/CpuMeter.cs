using System.Diagnostics;

namespace Cortex.Llmd.Bench.Load;

/// <summary>CPU time of the gateway, the generator (this process) and the mock over one run, with its wall time.</summary>
internal sealed class CpuMeter
{
    private readonly int? _gateway;
    private readonly int _mock;
    private readonly double _gatewayStart;
    private readonly double _selfStart;
    private readonly double _mockStart;
    private readonly long _wallStart;

    private CpuMeter(int? gateway, int mock)
    {
        _gateway = gateway;
        _mock = mock;
        _gatewayStart = gateway is { } g ? ProcStat.CpuMicros(g) : double.NaN;
        _mockStart = ProcStat.CpuMicros(mock);
        _selfStart = ProcStat.SelfCpuMicros();
        _wallStart = Stopwatch.GetTimestamp();
    }

    public static CpuMeter Start(int? gatewayPid, int mockPid) => new(gatewayPid, mockPid);

    public CpuUse Stop() => new(
        _gateway is { } g ? ProcStat.CpuMicros(g) - _gatewayStart : double.NaN,
        ProcStat.SelfCpuMicros() - _selfStart,
        ProcStat.CpuMicros(_mock) - _mockStart,
        Stopwatch.GetElapsedTime(_wallStart).TotalMicroseconds);
}

/// <summary>CPU microseconds spent by each process during one run of <see cref="WallMicros"/>.</summary>
internal sealed record CpuUse(double GatewayMicros, double GeneratorMicros, double MockMicros, double WallMicros)
{
    /// <summary>Share of one core the generator and the mock together used: near 100% would make them the limit.</summary>
    public double GeneratorSideCoreShare => (GeneratorMicros + MockMicros) / WallMicros;
}
