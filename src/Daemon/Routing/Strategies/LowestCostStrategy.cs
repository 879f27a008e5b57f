using Cortex.Llm.V1;

namespace Cortex.Llmd.Routing.Strategies;

/// <summary>
/// Cheapest estimated bill first (estimated input and output tokens at each target's prices).
/// Targets without a price go last: an unknown cost is never treated as free.
/// </summary>
public sealed class LowestCostStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LowestCost;

    public IReadOnlyList<RouteTarget> Order(RouteOptions route, StrategyContext context)
    {
        var usage = new Usage { InputTokens = (ulong)context.EstimatedInputTokens, OutputTokens = (ulong)context.EstimatedOutputTokens };
        return [.. route.Targets.OrderBy(t => context.PriceOf(t.Ref)?.CostNanoUsd(usage) ?? long.MaxValue)];
    }
}
