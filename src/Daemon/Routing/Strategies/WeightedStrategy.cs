
namespace Cortex.Llmd.Routing.Strategies;

/// <summary>
/// Random by weight: the first target is drawn with probability weight / total, then the next from
/// the rest, so the fallback order is weighted too. Zero-weight targets only serve as last resorts.
/// </summary>
public sealed class WeightedStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.Weighted;

    public IReadOnlyList<RouteTarget> Order(RouteOptions route, StrategyContext context)
    {
        var remaining = route.Targets.Where(t => t.Weight > 0).ToList();
        var ordered = new List<RouteTarget>(route.Targets.Count);
        while (remaining.Count > 0)
        {
            double total = remaining.Sum(t => t.Weight);
            double draw = context.Random.NextDouble() * total;
            int index = 0;
            while (index < remaining.Count - 1 && draw >= remaining[index].Weight)
            {
                draw -= remaining[index].Weight;
                index++;
            }

            ordered.Add(remaining[index]);
            remaining.RemoveAt(index);
        }

        ordered.AddRange(route.Targets.Where(t => t.Weight <= 0));
        return ordered;
    }
}
