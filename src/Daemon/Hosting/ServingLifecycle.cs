using Cortex.Llmd.Composition;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Hosting;

/// <summary>
/// What must happen between "every hosted service started" and READY=1, and the lines an operator
/// reads at stop. StartedAsync runs after all hosted services started (Kestrel bound and accepting,
/// the ledger open) and before the host signals ApplicationStarted, on which SystemdLifetime sends
/// READY=1; so the socket's mode and group are set, and STATUS= is sent, before systemd hears READY.
/// </summary>
internal sealed class ServingLifecycle(
    DaemonOptions options, string socketPath, DaemonAppSettings settings, ISystemdNotifier notifier, RuntimeModelHolder holder, ILogger logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        string served = Served();
        Log.Serving(logger, DaemonApp.Version, served, options.Providers.Count, options.Routes.Count);
        if (ServedOpenAi() is { } openAi)
        {
            Log.OpenAiServing(logger, openAi);
        }

        if (settings.BeforeReady is { } beforeReady)
        {
            await beforeReady(cancellationToken).ConfigureAwait(false);
        }

        notifier.Notify(Notifications.Status(ServiceStatus.Describe(served, holder.Current)));
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Log.Stopping(logger, options.Server.ShutdownTimeout.TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Log.Stopped(logger);
        return Task.CompletedTask;
    }

    /// <summary>The OpenAI-compatible door's socket gets the gRPC socket's mode and group; null when the door is off.</summary>
    private string? ServedOpenAi()
    {
        OpenAi.OpenAiOptions door = options.OpenAi;
        var where = new List<string>();
        if (settings.InheritedOpenAiSocket is { } inherited)
        {
            where.Add(inherited.Describe());
        }
        else if (door.SocketPath is { } path)
        {
            ApplyPermissions(path);
            where.Add(path);
        }

        if (door.TcpAddress is { } address)
        {
            where.Add("http://" + address);
        }

        return where.Count == 0 ? null : string.Join(" and ", where);
    }

    /// <summary>Applies the socket's mode and group (unless systemd owns it) and says where we serve.</summary>
    private string Served()
    {
        if (settings.InheritedSocket is { } inherited)
        {
            // systemd created the socket with the unit's SocketMode/SocketGroup: leave it as it is.
            string described = inherited.Describe();
            Log.SocketInherited(logger, described);
            return described;
        }

        ApplyPermissions(socketPath);
        return socketPath;
    }

    private void ApplyPermissions(string path)
    {
        if (SocketPermissions.Apply(path, options.Server.SocketMode, options.Server.SocketGroup) is { } problem
            && !(options.Server.SocketGroup == new ServerOptions().SocketGroup && problem.EndsWith("does not exist", StringComparison.Ordinal)))
        {
            // The default group is optional (a developer machine has none); a configured one that fails is worth a warning.
            Log.SocketGroupNotApplied(logger, options.Server.SocketGroup, path, problem);
        }
    }
}
