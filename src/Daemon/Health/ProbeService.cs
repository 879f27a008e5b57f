using Cortex.Llm.V1;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Events;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Health;

/// <summary>
/// Probes every usable provider on a jittered interval with a request that costs nothing, and feeds
/// the result to the breakers of all that provider's targets. Restores persisted breakers and rate-limit cooldowns first.
/// </summary>
public sealed class ProbeService(
    IRoutingModelSource models, BreakerRegistry breakers, ProbeStatus status, EventHub events, HealthOptions options,
    TimeProvider time, Random random, ILogger<ProbeService> logger, CooldownRegistry? cooldowns = null) : BackgroundService
{
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.OrdinalIgnoreCase);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        breakers.Restore();
        cooldowns?.Restore();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Probes.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await ProbeDueAsync(stoppingToken).ConfigureAwait(false);
            TimeSpan wait = _due.Count == 0 ? options.Probes.Interval : _due.Values.Min() - time.GetUtcNow();
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: probes every provider whose time has come. Public so tests can drive it.</summary>
    public async Task ProbeDueAsync(CancellationToken cancellationToken)
    {
        IRoutingModel model = models.Current;
        DateTimeOffset now = time.GetUtcNow();
        foreach ((string name, IProvider provider) in model.Providers)
        {
            if (provider.Describe().Unavailable is not null)
            {
                continue;
            }

            if (!_due.TryGetValue(name, out DateTimeOffset due))
            {
                // The first probe of each provider lands at a random point of the first interval.
                _due[name] = now + (options.Probes.Interval * random.NextDouble());
                continue;
            }

            if (due > now)
            {
                continue;
            }

            _due[name] = now + Jittered();
            await ProbeAsync(name, provider, model, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProbeAsync(string name, IProvider provider, IRoutingModel model, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Probes.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ProbeResult result;
        try
        {
            result = await provider.ProbeAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = new ProbeResult(false, $"{name}: probe timed out after {DurationText.Format(options.Probes.Timeout)}", 0, options.Probes.Timeout);
        }

        if (!result.Skipped)
        {
            // A kind with nothing to probe has no probe result to show.
            status.Set(name, result, time.GetUtcNow());
        }

        breakers.ReportProbe(TargetsOf(name, model), result);
        if (!result.Ok)
        {
            Log.ProbeFailed(logger, name, result.Detail);
            events.Publish(new Event { ProbeFailed = new ProbeFailed { Provider = name, Detail = result.Detail, HttpStatus = (uint)result.HttpStatus } });
        }
    }

    private TimeSpan Jittered() =>
        options.Probes.Interval * (1 + (options.Probes.Jitter * ((random.NextDouble() * 2) - 1)));

    private static IEnumerable<TargetRef> TargetsOf(string provider, IRoutingModel model) =>
        model.Options.Routes.Values.SelectMany(r => r.Targets).Select(t => t.Ref)
            .Where(t => string.Equals(t.Provider, provider, StringComparison.OrdinalIgnoreCase)).Distinct();
}
