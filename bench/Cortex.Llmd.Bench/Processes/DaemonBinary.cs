namespace Cortex.Llmd.Bench.Processes;

/// <summary>Which daemon build runs: a Native AOT executable when one can be found, else the JIT Release build.</summary>
internal sealed record DaemonBinary(string Description, IReadOnlyList<string> Command)
{
    public const string AotVariable = "CORTEX_AOT_BINARY";

    /// <param name="explicitPath">--daemon: a cortex-llmd.dll (JIT) or an executable (Native AOT).</param>
    public static DaemonBinary Locate(string repoRoot, string? explicitPath)
    {
        string? path = explicitPath;
        if (path is null && Environment.GetEnvironmentVariable(AotVariable) is { Length: > 0 } fromEnvironment)
        {
            path = fromEnvironment;
        }

        string aot = Path.Combine(repoRoot, "src", "Daemon", "bin", "Release", "net10.0", "linux-x64", "publish", "cortex-llmd");
        if (path is null && File.Exists(aot))
        {
            path = aot;
        }

        path ??= Path.Combine(repoRoot, "src", "Daemon", "bin", "Release", "net10.0", "cortex-llmd.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("no daemon build: run `dotnet build src/Daemon -c Release` (bench/run.sh does)", path);
        }

        string full = Path.GetFullPath(path);
        return full.EndsWith(".dll", StringComparison.Ordinal)
            ? new DaemonBinary($"JIT (framework-dependent Release build, {Relative(repoRoot, full)})", ["dotnet", full])
            : new DaemonBinary($"Native AOT ({Relative(repoRoot, full)})", [full]);
    }

    private static string Relative(string root, string path) =>
        path.StartsWith(root, StringComparison.Ordinal) ? Path.GetRelativePath(root, path) : path;
}
