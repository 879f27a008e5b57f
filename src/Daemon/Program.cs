using Cortex.Llmd.Configuration;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd;

public static class Program
{
    public const int ExitUsage = 2;
    public const int ExitSocketInUse = 73;
    public const int ExitConfig = 78;

    public static async Task<int> Main(string[] args)
    {
        DaemonCommandLine cli = DaemonCommandLine.Parse(args, out string? usageError);
        if (usageError is not null)
        {
            await Console.Error.WriteLineAsync($"cortex-llmd: {usageError}\n\n{DaemonCommandLine.Usage}").ConfigureAwait(false);
            return ExitUsage;
        }

        if (cli.ShowHelp || cli.ShowVersion)
        {
            Console.WriteLine(cli.ShowHelp ? DaemonCommandLine.Usage : "cortex-llmd " + DaemonApp.Version);
            return 0;
        }

        var environment = Environment.GetEnvironmentVariables();
        string configPath = cli.ConfigPath ?? (environment[ConfigLoader.ConfigVariable] as string) ?? ConfigLoader.DefaultConfigPath;
        string? socketOverride = cli.SocketPath ?? (environment[ConfigLoader.SocketVariable] as string);
        DaemonOptions options;
        try
        {
            options = ConfigLoader.Load(configPath, environment, socketOverride, ProviderFactoryRegistry.CreateDefault());
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync("cortex-llmd: " + ex.Message).ConfigureAwait(false);
            return ExitConfig;
        }

        string socketPath = options.Server.SocketPath ?? SocketPaths.Default(environment, NativeMethods.GetEffectiveUserId());
        if (cli.CheckConfig)
        {
            Console.WriteLine($"cortex-llmd: {configPath} is valid ({options.Providers.Count} providers, {options.Routes.Count} routes; socket {socketPath})");
            return 0;
        }

        return await RunAsync(options, socketPath).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(DaemonOptions options, string socketPath)
    {
        SocketGuard guard;
        try
        {
            guard = SocketGuard.Acquire(socketPath);
        }
        catch (Exception ex) when (ex is SocketInUseException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("cortex-llmd: " + ex.Message).ConfigureAwait(false);
            return ExitSocketInUse;
        }

        using (guard)
        {
            await using var app = DaemonApp.Build(options, socketPath);
            if (guard.RemovedStaleSocket)
            {
                Console.Error.WriteLine($"cortex-llmd: removed stale socket {socketPath} (nothing answered on it)");
            }

            await DaemonApp.StartAsync(app, options, socketPath).ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            await app.StopAsync().ConfigureAwait(false);
        }

        return 0;
    }
}
