using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Collects everything the daemon emitted, each text under the name of where it came from, and finds
/// any run of eight characters of a planted key in it.
/// </summary>
public sealed class SecretScan
{
    public const int FragmentLength = 8;

    private readonly List<(string Source, string Text)> _texts = [];

    public IReadOnlyList<(string Source, string Text)> Texts => _texts;

    public void Add(string source, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            lock (_texts)
            {
                _texts.Add((source, text));
            }
        }
    }

    public bool AnyContains(string needle) => _texts.Any(t => t.Text.Contains(needle, StringComparison.Ordinal));

    /// <summary>Every place a fragment of <paramref name="key"/> appears, with a little context.</summary>
    public List<string> Leaks(string key)
    {
        var fragments = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i + FragmentLength <= key.Length; i++)
        {
            fragments.Add(key.Substring(i, FragmentLength));
        }

        var leaks = new List<string>();
        foreach ((string source, string text) in _texts)
        {
            for (int i = 0; i + FragmentLength <= text.Length; i++)
            {
                if (fragments.Contains(text.Substring(i, FragmentLength)))
                {
                    int from = Math.Max(0, i - 40);
                    leaks.Add($"{source}: ...{text[from..Math.Min(text.Length, i + 48)]}...");
                    break;
                }
            }
        }

        return leaks;
    }

    /// <summary>Every text value of every table of the ledger, read with a connection of our own.</summary>
    public void AddLedger(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (SqliteCommand list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using SqliteDataReader reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (string table in tables)
        {
            using SqliteCommand select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            using SqliteDataReader reader = select.ExecuteReader();
            var text = new StringBuilder();
            while (reader.Read())
            {
                for (int c = 0; c < reader.FieldCount; c++)
                {
                    if (!reader.IsDBNull(c) && reader.GetValue(c) is string value)
                    {
                        text.Append(reader.GetName(c)).Append('=').Append(value).Append('\n');
                    }
                    else if (!reader.IsDBNull(c) && reader.GetValue(c) is byte[] blob)
                    {
                        text.Append(reader.GetName(c)).Append('=').Append(Encoding.UTF8.GetString(blob)).Append('\n');
                    }
                }
            }

            Add("ledger " + table, text.ToString());
        }
    }
}

/// <summary>The cortex-llm CLI, built from this repository, run as a child process.</summary>
public static class CliProcess
{
    private static readonly SemaphoreSlim BuildLock = new(1, 1);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        await RunCommandAsync(["dotnet", await EnsureBuiltAsync(), .. args]);

    /// <summary>Any command, with its exit code and whole output (a minute at most).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCommandAsync(IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The CLI next to its project, in this test build's configuration; built once when missing.</summary>
    public static async Task<string> EnsureBuiltAsync()
    {
        string root = RepositoryRoot();
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        string project = Path.Combine(root, "src", "Client", "cortex-llm");
        string dll = Path.Combine(project, "bin", configuration, "net10.0", "cortex-llm.dll");
        await BuildLock.WaitAsync();
        try
        {
            if (!File.Exists(dll))
            {
                using Process build = Process.Start("dotnet", ["build", Path.Combine(project, "cortex-llm.csproj"), "-c", configuration, "-v", "quiet", "-nologo"])!;
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                await build.WaitForExitAsync(timeout.Token);
                Assert.That(build.ExitCode, Is.Zero, "building cortex-llm");
            }
        }
        finally
        {
            BuildLock.Release();
        }

        return dll;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (cortex-llmd.slnx) is not above " + AppContext.BaseDirectory);
    }
}
