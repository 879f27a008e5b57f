
namespace Cortex.Llmd.Routing.Strategies;

/// <summary>
/// Lowest latency EWMA first. Unmeasured targets go first so they get measured, and a share of requests
/// (the route's exploration rate) puts a random other target first, so a target that was slow once is
/// measured again instead of being avoided forever.
/// </summary>
public sealed class LowestLatencyStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LowestLatency;

    public IReadOnlyList<RouteTarget> Order(RouteOptions route, StrategyContext context)
    {
        List<RouteTarget> ordered = [.. route.Targets.OrderBy(t => context.States.Get(t.Ref).LatencyEwma ?? TimeSpan.MinValue)];
        if (ordered.Count > 1 && context.Random.NextDouble() < route.Exploration)
        {
            int pick = 1 + context.Random.Next(ordered.Count - 1);
            RouteTarget explored = ordered[pick];
            ordered.RemoveAt(pick);
            ordered.Insert(0, explored);
        }

        return ordered;
    }
}
