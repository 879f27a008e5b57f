using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Events;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
            options = DaemonConfig.Load(configPath, environment, socketOverride, ProviderFactoryRegistry.CreateDefault());
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

        return await RunAsync(options, socketPath, new ConfigSource(configPath, environment, socketOverride)).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(DaemonOptions options, string socketPath, ConfigSource source)
    {
        (InheritedSocket? inheritedGrpc, InheritedSocket? inheritedOpenAi) = InheritedSocket.TakeBothFromProcess();
        var settings = new DaemonAppSettings
        {
            Notifier = SystemdHosting.NotifierForProcess(),
            InheritedSocket = inheritedGrpc,
            InheritedOpenAiSocket = inheritedOpenAi,
            WatchdogInterval = WatchdogSettings.Interval(Environment.GetEnvironmentVariable, Environment.ProcessId),
            JournaldLogging = SystemdHosting.UseJournaldFormat(source.Environment),
        };

        var guards = new List<SocketGuard>();
        try
        {
            // systemd owns an inherited socket's file: no lock, no stale-socket removal, no chmod, no unlink at exit.
            string? openAiPath = settings.InheritedOpenAiSocket is null ? options.OpenAi.SocketPath : null;
            foreach (string? path in (string?[])[settings.InheritedSocket is null ? socketPath : null, openAiPath])
            {
                if (path is not null)
                {
                    guards.Add(SocketGuard.Acquire(path, SocketPaths.CreatableDirectories(source.Environment, NativeMethods.GetEffectiveUserId())));
                }
            }

            using IHost app = DaemonApp.Build(options, socketPath, settings);
            foreach (SocketGuard guard in guards.Where(g => g.RemovedStaleSocket))
            {
                Console.Error.WriteLine($"cortex-llmd: removed stale socket {guard.SocketPath} (nothing answered on it)");
            }

            return await ServeAsync(app, options, socketPath, source).ConfigureAwait(false);
        }
        catch (SocketInUseException ex)
        {
            await Console.Error.WriteLineAsync("cortex-llmd: " + ex.Message).ConfigureAwait(false);
            return ExitSocketInUse;
        }
        finally
        {
            guards.ForEach(g => g.Dispose());
        }
    }

    /// <summary>
    /// Serves until SIGTERM/SIGINT, reloading on SIGHUP. Stopping lets in-flight calls, streams
    /// included, finish within server.shutdownTimeout (Kestrel's StopAsync waits for them).
    /// </summary>
    private static async Task<int> ServeAsync(IHost app, DaemonOptions options, string socketPath, ConfigSource source)
    {
        IServiceProvider services = app.Services;
        RuntimeModelHolder holder = services.GetRequiredService<RuntimeModelHolder>();
        string served = services.GetRequiredService<DaemonAppSettings>().InheritedSocket?.Describe() ?? socketPath;
        using var reloader = new ConfigReloader(
            source,
            services.GetRequiredService<ProviderFactoryRegistry>(),
            services.GetRequiredService<ProviderContext>(),
            holder,
            services.GetRequiredService<EventHub>(),
            services.GetRequiredService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(),
            services.GetRequiredService<TimeProvider>(),
            options.Server.ShutdownTimeout,
            () => ServiceStatus.Describe(served, holder.Current),
            services.GetRequiredService<ILogger<ConfigReloader>>());

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reloader.RegisterSignal(started.Task);
        await DaemonApp.StartAsync(app).ConfigureAwait(false);
        started.SetResult();
        // Returns once the host has stopped: it calls StopAsync itself (a second call would stop it twice).
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}
