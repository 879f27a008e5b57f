namespace Cortex.Llmd.Routing.Strategies;

/// <summary>The strategies by name: the only place a name becomes a type.</summary>
public static class RoutingStrategies
{
    public const string Priority = "priority";
    public const string LowestLatency = "lowest-latency";
    public const string LowestCost = "lowest-cost";
    public const string Weighted = "weighted";
    public const string LeastBusy = "least-busy";

    private static readonly Dictionary<string, IRoutingStrategy> All = new IRoutingStrategy[]
    {
        new PriorityStrategy(),
        new LowestLatencyStrategy(),
        new LowestCostStrategy(),
        new WeightedStrategy(),
        new LeastBusyStrategy(),
    }.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>For config validation: each accepted spelling mapped to its canonical name.</summary>
    public static IReadOnlyDictionary<string, string> ConfigChoices { get; } =
        All.Keys.ToDictionary(k => k, k => k, StringComparer.OrdinalIgnoreCase);

    public static IRoutingStrategy Get(string name) => All[name];
}
