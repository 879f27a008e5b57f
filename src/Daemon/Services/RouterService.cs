using Cortex.Llm.V1;
using Cortex.Llmd.Access;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Stats;
using Grpc.Core;

namespace Cortex.Llmd.Services;

/// <summary>The cortex.llm.v1.Router service: completion calls, the dry run, and the read-only admin calls.</summary>
public sealed class RouterService(
    RuntimeModelHolder models,
    RoutePlanner planner,
    CompletionRunner completions,
    IStatsStore stats,
    TargetStateRegistry states,
    EventHub events,
    Health.BreakerRegistry breakers,
    Health.ProbeStatus probes,
    Health.CooldownRegistry cooldowns,
    Ledger.LedgerWriter ledger,
    AccessPolicySource access) : Router.RouterBase
{
    public const string ServiceName = "cortex.llm.v1.Router";

    public override Task<CompleteResponse> Complete(CompleteRequest request, ServerCallContext context) =>
        completions.RunAsync(request, context, sink: null);

    public override async Task StreamComplete(CompleteRequest request, IServerStreamWriter<CompleteChunk> responseStream, ServerCallContext context)
    {
        CompleteResponse final = await completions.RunAsync(request, context, new StreamSink(responseStream)).ConfigureAwait(false);
        final.Content = string.Empty;
        await responseStream.WriteAsync(new CompleteChunk { Final = final }, context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<RoutingDecision> Route(CompleteRequest request, ServerCallContext context) =>
        Task.FromResult(planner.Plan(request, models.Current).ToDecision());

    /// <summary>A non-admin's query arrives already narrowed to its own uid (<see cref="AccessInterceptor"/>).</summary>
    public override Task<GetStatsResponse> GetStats(GetStatsRequest request, ServerCallContext context) =>
        Task.FromResult(stats.Query(request, (uint)Math.Max(0, states.TotalInFlight)));

    public override Task<ResetStatsResponse> ResetStats(ResetStatsRequest request, ServerCallContext context)
    {
        ResetStatsResponse response = stats.Reset();
        events.Publish(new Event { StatsReset = new StatsReset { WindowStartUnixMs = response.WindowStartUnixMs } });
        return Task.FromResult(response);
    }

    public override Task<ListProvidersResponse> ListProviders(ListProvidersRequest request, ServerCallContext context)
    {
        RuntimeModel model = models.Current;
        Ledger.LedgerHealth store = ledger.Health;
        var response = new ListProvidersResponse
        {
            Ledger = store.IsHealthy ? "ok" : $"degraded: {store.Reason} (backlog {store.Backlog}, dropped {store.Dropped})",
        };
        foreach ((string name, Providers.IProvider provider) in model.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Providers.ProviderDescription description = provider.Describe();
            var info = new ProviderInfo { Name = name, Kind = provider.Kind, KeyPresent = description.KeyPresent, BaseUrl = description.BaseUrl };
            IEnumerable<Model.TargetRef> targets = model.Options.Routes.Values
                .SelectMany(r => r.Targets)
                .Select(t => t.Ref)
                .Where(t => t.Provider == name)
                .Distinct();
            foreach (Model.TargetRef target in targets)
            {
                ProviderTarget snapshot = states.Get(target).Snapshot();
                Health.BreakerSnapshot breaker = breakers.Snapshot(target);
                snapshot.Breaker = Health.BreakerStateNames.ToName(breaker.State);
                if (probes.Get(name) is { } probe)
                {
                    snapshot.LastProbe = probe.Result.Ok ? "ok" : "failed: " + probe.Result.Detail;
                    snapshot.LastProbeUnixMs = probe.At.ToUnixTimeMilliseconds();
                }

                Health.RateLimitCooldown? cooling = cooldowns.Active(target);
                snapshot.CooldownUntilUnixMs = cooling?.Until.ToUnixTimeMilliseconds() ?? 0;
                if (description.Unavailable is { } why)
                {
                    snapshot.State = ProviderState.Unavailable;
                    snapshot.StateReason = why;
                }
                else if (cooling is not null)
                {
                    // Every request skips it until then, whatever its breaker says.
                    snapshot.State = ProviderState.Unavailable;
                    snapshot.StateReason = cooling.Describe();
                    snapshot.StateSinceUnixMs = cooling.Since.ToUnixTimeMilliseconds();
                }
                else if (breaker.State != Health.BreakerState.Closed)
                {
                    snapshot.State = breaker.State == Health.BreakerState.Open ? ProviderState.Unavailable : ProviderState.Degraded;
                    snapshot.StateReason = $"circuit {snapshot.Breaker}: {breaker.Reason}";
                    snapshot.StateSinceUnixMs = breaker.Since.ToUnixTimeMilliseconds();
                }

                info.Targets.Add(snapshot);
            }

            response.Providers.Add(info);
        }

        return Task.FromResult(response);
    }

    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        ActivityScope scope = access.Current.ScopeFor(CallerIdentity.Of(context.GetHttpContext()));
        using EventSubscription subscription = events.Subscribe(request.Kinds, visible: evt => ActivityVisibility.CanSee(scope, evt));
        CancellationToken token = context.CancellationToken;
        while (true)
        {
            Event evt = await subscription.ReadAsync(token).ConfigureAwait(false);
            await responseStream.WriteAsync(evt, token).ConfigureAwait(false);
        }
    }

    private sealed class StreamSink(IServerStreamWriter<CompleteChunk> writer) : IChunkSink
    {
        public ValueTask SendContentAsync(string delta, CancellationToken cancellationToken) =>
            new(writer.WriteAsync(new CompleteChunk { ContentDelta = delta }, cancellationToken));

        public ValueTask SendToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken) =>
            new(writer.WriteAsync(new CompleteChunk { ToolCallDelta = delta }, cancellationToken));
    }
}
