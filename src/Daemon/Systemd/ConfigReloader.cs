using System.Collections;
using System.Runtime.InteropServices;
using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Events;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Systemd;

/// <summary>Where the running config came from, so a reload reads it the same way.</summary>
public sealed record ConfigSource(string Path, IDictionary Environment, string? SocketOverride);

/// <summary>
/// Re-reads the config on SIGHUP (what systemctl reload sends). A valid config becomes a new
/// RuntimeModel, swapped in atomically: requests already running keep the model they took, and
/// target state and breakers live outside the model, so they survive. An invalid config is logged
/// with every error and the last good model stays. systemd hears RELOADING=1 before and READY=1 after.
/// </summary>
/// <remarks>
/// The old model's providers own HttpClients. They are disposed after <c>retireAfter</c> (the
/// server's shutdownTimeout), the same bound the daemon already gives in-flight requests at stop, so
/// no request that started under the old model loses its client in that window. Reference counting
/// would be exact but would thread a lease through every request path for a rare event.
/// </remarks>
public sealed class ConfigReloader(
    ConfigSource source,
    ProviderFactoryRegistry factories,
    ProviderContext providerContext,
    RuntimeModelHolder holder,
    EventHub events,
    ISystemdNotifier notifier,
    TimeProvider time,
    TimeSpan retireAfter,
    Func<string> status,
    ILogger<ConfigReloader> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<(ITimer Timer, RuntimeModel Model)> _retirements = [];
    private PosixSignalRegistration? _registration;

    /// <summary>
    /// Handles SIGHUP from now on, instead of the default action (terminate). Registered before the
    /// host starts, so an early SIGHUP cannot kill the daemon; a reload waits for <paramref name="started"/>,
    /// so its READY=1 never precedes the first one.
    /// </summary>
    public void RegisterSignal(Task started)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = Task.Run(async () =>
            {
                await started.ConfigureAwait(false);
                await ReloadAsync().ConfigureAwait(false);
            });
        });
    }

    /// <summary>Reloads once; concurrent SIGHUPs queue up. True when the new config was applied.</summary>
    public async Task<bool> ReloadAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            notifier.Notify(Notifications.Reloading(Notifications.MonotonicMicroseconds()));
            try
            {
                return Apply();
            }
            finally
            {
                // Whatever happened, systemd must hear READY=1 again or it waits for the reload to time out.
                notifier.Notify(ServiceState.Ready);
                notifier.Notify(Notifications.Status(status()));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Apply()
    {
        DaemonOptions options;
        try
        {
            options = DaemonConfig.Load(source.Path, source.Environment, source.SocketOverride, factories);
        }
        catch (ConfigException ex)
        {
            Log.ReloadRejected(logger, source.Path, ex.Message);
            events.Publish(new Event { ConfigReloaded = new ConfigReloaded { Applied = false, Detail = ex.Message } });
            return false;
        }

        RuntimeModel next;
        try
        {
            next = RuntimeModel.Build(options, factories, providerContext);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A provider that cannot be built rejects the reload like a config error: the last good model stays.
            Log.ReloadRejected(logger, source.Path, ex.Message);
            events.Publish(new Event { ConfigReloaded = new ConfigReloaded { Applied = false, Detail = ex.Message } });
            return false;
        }

        RuntimeModel previous = holder.Current;
        holder.Swap(next);
        Retire(previous);
        if (options.Server != previous.Options.Server || options.LogLevel != previous.Options.LogLevel || options.OpenAi != previous.Options.OpenAi
            || options.Telemetry != previous.Options.Telemetry)
        {
            Log.ReloadServerNeedsRestart(logger, source.Path);
        }

        Log.Reloaded(logger, source.Path, options.Providers.Count, options.Routes.Count);
        events.Publish(new Event
        {
            ConfigReloaded = new ConfigReloaded
            {
                Applied = true,
                Detail = $"{options.Providers.Count} providers, {options.Routes.Count} routes",
            },
        });
        return true;
    }

    private void Retire(RuntimeModel previous)
    {
        lock (_retirements)
        {
            ITimer? timer = null;
            timer = time.CreateTimer(
                _ =>
                {
                    previous.Dispose();
                    lock (_retirements)
                    {
                        _retirements.RemoveAll(r => r.Timer == timer);
                    }

                    timer!.Dispose();
                },
                null,
                retireAfter,
                Timeout.InfiniteTimeSpan);
            _retirements.Add((timer, previous));
        }
    }

    public void Dispose()
    {
        _registration?.Dispose();
        lock (_retirements)
        {
            // At shutdown nothing runs on a retired model any more: release it now.
            foreach ((ITimer timer, RuntimeModel model) in _retirements)
            {
                timer.Dispose();
                model.Dispose();
            }

            _retirements.Clear();
        }

        _gate.Dispose();
    }
}
