using System.Diagnostics;
using Cortex.Llmd.Tests.Interop;

namespace Cortex.Llmd.Tests.Support;

/// <summary>
/// The Native AOT daemon: the binary named by CORTEX_AOT_BINARY, or one published here on first use.
/// Never a skip: a missing binary or a failed publish fails the test that asked for it.
/// </summary>
public static class AotBinary
{
    public const string EnvironmentVariable = "CORTEX_AOT_BINARY";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _published;

    public static async Task<string> GetAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            Assert.That(File.Exists(given), Is.True, $"{EnvironmentVariable}={given} names no file.");
            return given;
        }

        await Gate.WaitAsync();
        try
        {
            return _published ??= await PublishAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Publishes into artifacts/ (ignored by git), so a second run only relinks what changed.</summary>
    private static async Task<string> PublishAsync()
    {
        string root = RepositoryRoot.Find();
        string output = Path.Combine(root, "artifacts", "aot-test");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (string arg in new[] { "publish", "src/Daemon", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo", "-v", "quiet" })
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(25));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The AOT publish took over 25 minutes. Set " + EnvironmentVariable + " to a published binary instead.");
        }

        string binary = Path.Combine(output, "cortex-llmd");
        Assert.That(process.ExitCode, Is.Zero, $"The AOT publish failed (set {EnvironmentVariable} to use a binary built elsewhere):\n{await stdout}\n{await stderr}");
        Assert.That(File.Exists(binary), Is.True, $"The AOT publish wrote no {binary}.");
        return binary;
    }
}
