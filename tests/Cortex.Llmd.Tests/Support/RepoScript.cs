using System.Diagnostics;

namespace Cortex.Llmd.Tests.Support;

/// <summary>Runs one of the repository's shell test scripts with a time limit and collects its output.</summary>
public static class RepoScript
{
    public sealed record Result(bool Finished, int ExitCode, string Output);

    public static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (with cortex-llmd.slnx) not found above " + AppContext.BaseDirectory);
    }

    public static async Task<Result> RunAsync(string relativePath, TimeSpan limit)
    {
        string root = RepoRoot();
        var info = new ProcessStartInfo("bash", [Path.Combine(root, relativePath)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };

        // The test host's MSBuild and SDK variables would steer a nested dotnet restore/publish.
        foreach (string key in info.Environment.Keys
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase)
                || k is "DOTNET_HOST_PATH" or "MSBuildSDKsPath" or "MSBuildExtensionsPath")
            .ToList())
        {
            info.Environment.Remove(key);
        }

        var output = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(limit);
        bool finished = true;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            finished = false;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        lock (output)
        {
            return new Result(finished, process.ExitCode, output.ToString());
        }
    }
}
