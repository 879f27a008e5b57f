using System.Globalization;

namespace Cortex.Llmd.Bench.Processes;

/// <summary>The mock upstream as its own process: this same program with the <c>mock</c> verb, on the generator's core.</summary>
internal static class MockProcess
{
    public static async Task<(ChildProcess Process, Uri BaseUrl)> StartAsync(Pinning pinning, string workDir)
    {
        int port = Ports.Free();
        string dll = typeof(MockProcess).Assembly.Location;
        var command = pinning.Prefix(Pinning.GeneratorCore).Concat(["dotnet", dll, "mock", "--port", port.ToString(CultureInfo.InvariantCulture)]);
        var environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_TieredPGO"] = "1" };
        ChildProcess process = ChildProcess.Start("mock", command, Path.Combine(workDir, "mock.log"), environment);
        await Ports.WaitListeningAsync(process, port, TimeSpan.FromSeconds(30));
        return (process, new Uri($"http://127.0.0.1:{port}/v1"));
    }
}
