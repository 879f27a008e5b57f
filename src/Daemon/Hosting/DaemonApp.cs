using Cortex.Llmd.Access;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Health;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Services;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Systemd;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Hosting;

/// <summary>Composes the daemon: Kestrel and grpc-dotnet on the Unix socket, and the services behind them.</summary>
public static class DaemonApp
{
    public static string Version { get; } =
        typeof(DaemonApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static IHost Build(DaemonOptions options, string socketPath, DaemonAppSettings? settings = null)
    {
        settings ??= new DaemonAppSettings();
        // The empty builder: only our own config file feeds the daemon (no appsettings.json, no DOTNET_*
        // variables, no file watchers), and only Kestrel, routing and gRPC are added to it.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "cortex-llmd",
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureLogging(builder.Logging, options, settings);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Server.ShutdownTimeout);
        AddServices(builder.Services, options, socketPath, settings);
        SocketServer.Add(builder, options, socketPath, settings);
        WebApplication app = builder.Build();
        SocketServer.Map(app, options);

        // STOPPING=1 goes out from SystemdLifetime on the same event.
        HealthService health = app.Services.GetRequiredService<HealthService>();
        app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(health.SetAllNotServing);
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, DaemonOptions options, DaemonAppSettings settings)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.LogLevel);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        AddLogProviders(logging, settings);

        // Last, so that it wraps whichever providers were added, a test's included. The journal's rate is
        // wall-clock time even when a test steers the daemon's clock.
        BoundedLoggerProvider.WrapAll(logging, options.LogLevel, TimeProvider.System);
    }

    private static void AddLogProviders(ILoggingBuilder logging, DaemonAppSettings settings)
    {
        if (settings.ConfigureLogging is { } configure)
        {
            configure(logging);
            return;
        }

        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (settings.JournaldLogging)
        {
            SystemdHosting.UseJournaldConsole(logging);
            return;
        }

        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
    }

    private static void AddServices(IServiceCollection services, DaemonOptions options, string socketPath, DaemonAppSettings settings)
    {
        TimeProvider time = settings.TimeProvider ?? TimeProvider.System;
        ProviderFactoryRegistry factories = settings.ProviderFactories ?? ProviderFactoryRegistry.CreateDefault();
        services.AddSingleton(time);
        services.AddSingleton(settings);
        services.AddSingleton(factories);
        var providerContext = new ProviderContext(time, settings.Environment ?? Environment.GetEnvironmentVariables());
        services.AddSingleton(providerContext);
        SystemdHosting.Add(services, options, socketPath, settings, time);

        services.AddSingleton(new RuntimeModelHolder(RuntimeModel.Build(options, factories, providerContext)));
        services.AddSingleton<TargetStateRegistry>();
        services.AddSingleton<EventHub>();
        services.AddSingleton(options.Ledger);
        AddLedger(services, options, settings, time);
        AddHealth(services, options, settings);
        services.AddSingleton(sp => new RoutePlanner(sp.GetRequiredService<TargetStateRegistry>(), sp.GetRequiredService<ITargetGate>(), sp.GetRequiredService<Validation.SchemaCache>(), settings.Random ?? Random.Shared));
        services.AddSingleton(new Validation.SchemaCache());
        services.AddSingleton<Validation.IAnswerSchemaCheck, Validation.SchemaAnswerCheck>();
        services.AddSingleton<AnswerValidator>();
        services.AddSingleton<Pricing.UnpricedModels>();
        services.AddSingleton(sp => new CompletionEngine(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<TargetStateRegistry>(), sp.GetRequiredService<EventHub>(),
            sp.GetRequiredService<AnswerValidator>(), sp.GetRequiredService<ITargetGate>(), sp.GetRequiredService<ILogger<CompletionEngine>>(),
            sp.GetRequiredService<Pricing.UnpricedModels>()));
        services.AddSingleton(sp => new BudgetGuard(
            new SpendBook(time), sp.GetRequiredService<ISpendSource>(), sp.GetRequiredService<EventHub>(), sp.GetRequiredService<ILogger<BudgetGuard>>()));
        Telemetry.MetricsExport.Add(services, options.Telemetry, settings.Environment ?? Environment.GetEnvironmentVariables(), Version);
        services.AddSingleton<Completions.CompletionRecorder>();
        services.AddSingleton<Completions.CompletionService>();
        services.AddSingleton<CompletionRunner>();
        AddAccess(services);
        services.AddSingleton<RouterService>();
        services.AddHostedService(sp => new IdleMemoryTrimmer(TimeProvider.System));
        services.AddSingleton<HealthService>();
    }

    /// <summary>The access policy follows config reloads; the rate limiter and the log throttle keep their state across them.</summary>
    private static void AddAccess(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            RuntimeModelHolder models = sp.GetRequiredService<RuntimeModelHolder>();
            ILogger logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Cortex.Llmd.Access");
            return new AccessPolicySource(() => models.Current.Options.Access, new GroupFile(), NativeMethods.GetEffectiveUserId(), policy =>
            {
                if (policy.Options.AdminGroupsConfigured && policy.MissingGroups.Count > 0)
                {
                    Log.AdminGroupsMissing(logger, string.Join(", ", policy.MissingGroups));
                }
            });
        });
        services.AddSingleton(sp => new CallerRateLimiter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CallerLogThrottle(sp.GetRequiredService<TimeProvider>(), CallerLogThrottle.DefaultWindow));
        services.AddSingleton<CallerAdmission>();
    }

    /// <summary>Breakers persist in the ledger database; probes run after the ledger opened (registration order).</summary>
    private static void AddHealth(IServiceCollection services, DaemonOptions options, DaemonAppSettings settings)
    {
        services.AddSingleton(options.Health);
        services.AddSingleton<IBreakerStore>(sp => new LedgerBreakerStore(sp.GetRequiredService<LedgerWriter>()));
        services.AddSingleton<BreakerRegistry>();
        services.AddSingleton<ICooldownStore>(sp => new LedgerCooldownStore(sp.GetRequiredService<LedgerWriter>()));
        services.AddSingleton<CooldownRegistry>();
        services.AddSingleton<ITargetGate, TargetGate>();
        services.AddSingleton<ProbeStatus>();
        services.AddHostedService(sp => new ProbeService(
            sp.GetRequiredService<RuntimeModelHolder>(), sp.GetRequiredService<BreakerRegistry>(), sp.GetRequiredService<ProbeStatus>(),
            sp.GetRequiredService<EventHub>(), options.Health, sp.GetRequiredService<TimeProvider>(), settings.Random ?? Random.Shared,
            sp.GetRequiredService<ILogger<ProbeService>>(), sp.GetRequiredService<CooldownRegistry>()));
    }

    private static void AddLedger(IServiceCollection services, DaemonOptions options, DaemonAppSettings settings, TimeProvider time)
    {
        string path = settings.LedgerPath ?? LedgerPaths.Resolve(
            options.Ledger, settings.Environment ?? Environment.GetEnvironmentVariables(), NativeMethods.GetEffectiveUserId());
        services.AddSingleton(sp => new LedgerWriter(path, options.Ledger, time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Cortex.Llmd.Ledger")));
        services.AddSingleton(sp => new LedgerRetention(
            sp.GetRequiredService<LedgerWriter>(), options.Ledger, time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Cortex.Llmd.Ledger")));
        services.AddSingleton<IStatsStore>(sp => new LedgerStatsStore(sp.GetRequiredService<LedgerWriter>(), time));
        services.AddSingleton<ISpendSource>(sp => new LedgerSpendSource(sp.GetRequiredService<LedgerWriter>()));
        services.AddHostedService(sp =>
        {
            // The ledger knows nothing of gRPC: its health reaches the standard health service here, at the edge.
            HealthService health = sp.GetRequiredService<HealthService>();
            return new LedgerService(sp.GetRequiredService<LedgerWriter>(), sp.GetRequiredService<LedgerRetention>(), state => health.SetStatus(
                LedgerService.HealthName,
                state.IsHealthy ? ServingStatus.Serving : ServingStatus.NotServing));
        });
    }

    /// <summary>
    /// Starts every hosted service; READY=1 follows once the socket serves and the ledger is open
    /// (see <see cref="ServingLifecycle"/>).
    /// </summary>
    public static Task StartAsync(IHost app, CancellationToken cancellationToken = default) => app.StartAsync(cancellationToken);
}

/// <summary>Seams for tests and benchmarks: time, provider kinds, log sinks.</summary>
public sealed record DaemonAppSettings
{
    public TimeProvider? TimeProvider { get; init; }

    public ProviderFactoryRegistry? ProviderFactories { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Chance for the weighted and lowest-latency strategies; shared randomness when null.</summary>
    public Random? Random { get; init; }

    /// <summary>Where API keys and credentials are looked up; the process environment when null.</summary>
    public System.Collections.IDictionary? Environment { get; init; }

    /// <summary>Ledger file overriding config and defaults (tests keep it in their temporary directory).</summary>
    public string? LedgerPath { get; init; }

    /// <summary>
    /// The sd_notify channel when systemd runs us (the library's SystemdNotifier); null otherwise. When
    /// set, SystemdLifetime runs the host, so tests can stand in for systemd with a recording notifier.
    /// </summary>
    public Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier? Notifier { get; init; }

    /// <summary>The socket systemd passed (socket activation); null to bind the socket path ourselves.</summary>
    public InheritedSocket? InheritedSocket { get; init; }

    /// <summary>The OpenAI-compatible door's socket systemd passed (named "llmd-openai"); null when none was.</summary>
    public InheritedSocket? InheritedOpenAiSocket { get; init; }

    /// <summary>The systemd watchdog interval (WATCHDOG_USEC); null disables the watchdog service.</summary>
    public TimeSpan? WatchdogInterval { get; init; }

    /// <summary>Log in journald's one-line "&lt;priority&gt;" format instead of the plain console.</summary>
    public bool JournaldLogging { get; init; }

    /// <summary>Runs after the socket serves and the ledger opened, before READY=1.</summary>
    public Func<CancellationToken, Task>? BeforeReady { get; init; }
}
