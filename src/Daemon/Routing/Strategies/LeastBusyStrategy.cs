
namespace Cortex.Llmd.Routing.Strategies;

/// <summary>Fewest attempts in flight first; ties keep config order (OrderBy is stable).</summary>
public sealed class LeastBusyStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LeastBusy;

    public IReadOnlyList<RouteTarget> Order(RouteOptions route, StrategyContext context) =>
        [.. route.Targets.OrderBy(t => context.States.Get(t.Ref).InFlight)];
}
