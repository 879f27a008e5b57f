using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Cortex.Llmd.Tests.Interop;

/// <summary>What a finished (or killed) child process left behind.</summary>
internal sealed record ChildProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed, bool TimedOut)
{
    /// <summary>Everything a failure message needs, so a red test explains itself.</summary>
    public string Describe() =>
        $"""
        command: {CommandLine}
        exit code: {(TimedOut ? "killed after timeout" : ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}, elapsed {Elapsed.TotalSeconds:F2} s
        --- stderr ---
        {StandardError.TrimEnd()}
        --- stdout ---
        {StandardOutput.TrimEnd()}
        """;
}

/// <summary>Runs an external program with captured output and a hard time limit.</summary>
internal static class ChildProcess
{
    /// <summary>Starts <paramref name="fileName"/>; returns null when it cannot be started at all (not installed).</summary>
    public static async Task<ChildProcessResult?> TryRunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        string commandLine = string.Join(' ', info.ArgumentList.Prepend(fileName).Select(Quote));
        using var process = new Process { StartInfo = info };
        var watch = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            return null;
        }

        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        bool timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        watch.Stop();
        return new ChildProcessResult(commandLine, process.ExitCode, await stdout, await stderr, watch.Elapsed, timedOut);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '=' or ':')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
