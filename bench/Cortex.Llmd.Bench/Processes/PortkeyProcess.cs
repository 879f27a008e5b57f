using System.Globalization;

namespace Cortex.Llmd.Bench.Processes;

/// <summary>
/// Portkey's gateway (@portkey-ai/gateway from bench/portkey's lockfile) started with node directly, so the
/// measured pid is the node process itself, on the gateway core. --headless: no console UI is served.
/// </summary>
internal static class PortkeyProcess
{
    public static string EntryPoint(string repoRoot) =>
        Path.Combine(repoRoot, "bench", "portkey", "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");

    public static async Task<(ChildProcess Process, Uri BaseUrl)> StartAsync(Pinning pinning, string repoRoot, string workDir)
    {
        string entry = EntryPoint(repoRoot);
        if (!File.Exists(entry))
        {
            throw new FileNotFoundException("Portkey is not installed: run `npm ci` in bench/portkey (bench/run.sh does)", entry);
        }

        int port = Ports.Free();
        var command = pinning.Prefix(Pinning.GatewayCore).Concat(["node", entry, "--port=" + port.ToString(CultureInfo.InvariantCulture), "--headless"]);
        ChildProcess process = ChildProcess.Start("portkey", command, Path.Combine(workDir, "portkey.log"));
        await Ports.WaitListeningAsync(process, port, TimeSpan.FromSeconds(60));
        return (process, new Uri($"http://127.0.0.1:{port}/v1"));
    }
}
