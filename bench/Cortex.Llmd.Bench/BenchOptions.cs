using System.Globalization;

namespace Cortex.Llmd.Bench;

internal sealed record BenchOptions(int Calls, int Concurrency, string DaemonDll)
{
    public static BenchOptions Parse(string[] args)
    {
        int calls = 5000;
        int concurrency = 32;
        string? dll = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--calls":
                    calls = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--concurrency":
                    concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--daemon":
                    dll = args[i + 1];
                    break;
                default:
                    throw new ArgumentException("usage: bench [--calls N] [--concurrency N] [--daemon PATH/cortex-llmd.dll]");
            }
        }

        dll ??= Path.Combine(RepoRoot(), "src", "Daemon", "bin", "Release", "net10.0", "cortex-llmd.dll");
        return new BenchOptions(calls, concurrency, dll);
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root");
    }
}
