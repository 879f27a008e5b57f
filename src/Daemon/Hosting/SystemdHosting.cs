using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Cortex.Llmd.Hosting;

/// <summary>
/// The daemon's systemd integration, on Microsoft.Extensions.Hosting.Systemd: its lifetime sends
/// READY=1 once the host has started (every hosted service, so the socket serves and the ledger is
/// open) and STOPPING=1 when it stops; its console formatter writes journald's "&lt;priority&gt;" lines.
/// </summary>
internal static class SystemdHosting
{
    /// <summary>The library's detection: PID 1 with NOTIFY_SOCKET or LISTEN_PID, or a parent named systemd.</summary>
    public static bool IsSystemdService() => SystemdHelpers.IsSystemdService();

    /// <summary>The library's notifier when systemd runs us (it reads NOTIFY_SOCKET once); else null.</summary>
    public static ISystemdNotifier? NotifierForProcess() => IsSystemdService() ? new SystemdNotifier() : null;

    /// <summary>Journald lines when systemd runs us, or when stderr already is a journal stream.</summary>
    public static bool UseJournaldFormat(IDictionary environment) =>
        IsSystemdService() || !string.IsNullOrEmpty(environment["JOURNAL_STREAM"] as string);

    public static void UseJournaldConsole(ILoggingBuilder logging) =>
        logging.AddConsole(o => o.FormatterName = ConsoleFormatterNames.Systemd);

    /// <summary>
    /// What AddSystemd() registers when systemd runs us (the notifier and SystemdLifetime), with two
    /// differences: the notifier comes from the settings, so tests can stand in for systemd without
    /// being PID 1, and it is wrapped so a failed send never throws into the watchdog or a reload.
    /// </summary>
    public static void Add(IServiceCollection services, DaemonOptions options, string socketPath, DaemonAppSettings settings, TimeProvider time)
    {
        services.AddSingleton<ISystemdNotifier>(sp => new GuardedNotifier(settings.Notifier, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Cortex.Llmd.Systemd")));
        if (settings.Notifier is not null)
        {
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        services.AddHostedService(sp => new ServingLifecycle(
            options, socketPath, settings, sp.GetRequiredService<ISystemdNotifier>(), sp.GetRequiredService<Composition.RuntimeModelHolder>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Cortex.Llmd")));
        if (settings.WatchdogInterval is { } interval && settings.Notifier is not null)
        {
            string probePath = settings.InheritedSocket?.LocalPath() ?? socketPath;
            services.AddSingleton<ILivenessProbe>(new GrpcHealthProbe(probePath));
            services.AddHostedService(sp => new WatchdogService(
                interval, sp.GetRequiredService<ILivenessProbe>(), sp.GetRequiredService<ISystemdNotifier>(), time, sp.GetRequiredService<ILogger<WatchdogService>>()));
        }
    }
}
