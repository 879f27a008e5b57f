
namespace Cortex.Llmd.Routing.Strategies;

/// <summary>Config order: the first target is preferred, the rest are fallbacks in the order written.</summary>
public sealed class PriorityStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.Priority;

    public IReadOnlyList<RouteTarget> Order(RouteOptions route, StrategyContext context) => route.Targets;
}
