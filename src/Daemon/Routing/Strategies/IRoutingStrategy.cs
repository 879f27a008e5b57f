using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing.Strategies;

/// <summary>Orders one route's targets for one request. It only computes an order; it never calls anything.</summary>
public interface IRoutingStrategy
{
    string Name { get; }

    IReadOnlyList<RouteTarget> Order(RouteOptions route, StrategyContext context);
}

/// <summary>What strategies may look at: live target state, prices, the request's size, and injected chance.</summary>
public sealed record StrategyContext(
    Model.TargetStateRegistry States,
    Func<TargetRef, Pricing.ModelPrice?> PriceOf,
    long EstimatedInputTokens,
    long EstimatedOutputTokens,
    Random Random);
