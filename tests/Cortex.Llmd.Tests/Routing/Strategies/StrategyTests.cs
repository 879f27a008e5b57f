using Cortex.Llmd.Model;
using Cortex.Llmd.Pricing;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Routing.Strategies;

namespace Cortex.Llmd.Tests.Routing.Strategies;

public class StrategyTests
{
    private static readonly RouteTarget A = new(new TargetRef("p", "a"), TargetPolicy.Cloud, 1);
    private static readonly RouteTarget B = new(new TargetRef("p", "b"), TargetPolicy.Cloud, 3);
    private static readonly RouteTarget C = new(new TargetRef("p", "c"), TargetPolicy.Cloud, 0);

    private static RouteOptions Route(double exploration = 0, params RouteTarget[] targets) =>
        new("r", targets.Length == 0 ? [A, B, C] : targets, []) { Exploration = exploration };

    private static StrategyContext Context(TargetStateRegistry states, Random random, Func<TargetRef, ModelPrice?>? prices = null) =>
        new(states, prices ?? (_ => null), 1000, 500, random);

    private static string[] Names(IReadOnlyList<RouteTarget> order) => [.. order.Select(t => t.Ref.Model)];

    /// <summary>A Random whose draws are scripted, so strategies are tested deterministically.</summary>
    private sealed class ScriptedRandom(params double[] draws) : Random
    {
        private int _next;

        public override double NextDouble() => draws[_next++ % draws.Length];

        public override int Next(int maxValue) => (int)(NextDouble() * maxValue);
    }

    [Test]
    public void Priority_Targets_KeepsConfigOrder()
    {
        Assert.That(Names(new PriorityStrategy().Order(Route(), Context(new(), new ScriptedRandom(0.5)))), Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public void LeastBusy_InFlightCounts_PrefersFewest()
    {
        var states = new TargetStateRegistry();
        states.Get(A.Ref).Begin();
        states.Get(A.Ref).Begin();
        states.Get(B.Ref).Begin();

        Assert.That(Names(new LeastBusyStrategy().Order(Route(), Context(states, new ScriptedRandom(0.5)))), Is.EqualTo(new[] { "c", "b", "a" }));
    }

    [Test]
    public void LowestLatency_MeasuredTargets_UnmeasuredFirstThenFastest()
    {
        var states = new TargetStateRegistry();
        Measure(states, A, 300);
        Measure(states, B, 100);

        IReadOnlyList<RouteTarget> order = new LowestLatencyStrategy().Order(Route(), Context(states, new ScriptedRandom(0.99)));

        Assert.That(Names(order), Is.EqualTo(new[] { "c", "b", "a" }));
    }

    [Test]
    public void LowestLatency_ExplorationDraw_PutsAnotherTargetFirst()
    {
        var states = new TargetStateRegistry();
        Measure(states, A, 300);
        Measure(states, B, 100);

        // First draw 0.01 < exploration 0.1: explore; the second draw picks position 1 of [b, a].
        IReadOnlyList<RouteTarget> order = new LowestLatencyStrategy().Order(Route(0.1, A, B), Context(states, new ScriptedRandom(0.01, 0.6)));

        Assert.That(Names(order), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void LowestLatency_NoExplorationDraw_KeepsFastestFirst()
    {
        var states = new TargetStateRegistry();
        Measure(states, A, 300);
        Measure(states, B, 100);

        IReadOnlyList<RouteTarget> order = new LowestLatencyStrategy().Order(Route(0.1, A, B), Context(states, new ScriptedRandom(0.5)));

        Assert.That(Names(order), Is.EqualTo(new[] { "b", "a" }));
    }

    [Test]
    public void LowestCost_Prices_CheapestFirstUnpricedLast()
    {
        var prices = new Dictionary<string, ModelPrice>
        {
            ["a"] = new(3_000_000_000, 0, 0, 15_000_000_000, 15_000_000_000),
            ["b"] = new(600_000_000, 0, 0, 2_500_000_000, 2_500_000_000),
        };

        IReadOnlyList<RouteTarget> order = new LowestCostStrategy().Order(
            Route(), Context(new(), new ScriptedRandom(0.5), t => prices.GetValueOrDefault(t.Model)));

        Assert.That(Names(order), Is.EqualTo(new[] { "b", "a", "c" }));
    }

    [TestCase(0.10, new[] { "a", "b", "c" })]
    [TestCase(0.30, new[] { "b", "a", "c" })]
    [TestCase(0.99, new[] { "b", "a", "c" })]
    public void Weighted_Draw_PicksProportionallyToWeight(double draw, string[] expected)
    {
        // Weights a=1, b=3 (total 4): a draw below a quarter of the total picks a; zero-weight c is last.
        IReadOnlyList<RouteTarget> order = new WeightedStrategy().Order(Route(), Context(new(), new ScriptedRandom(draw)));

        Assert.That(Names(order), Is.EqualTo(expected));
    }

    [Test]
    public void Get_EveryConfiguredName_ResolvesToStrategyOfThatName()
    {
        foreach (string name in RoutingStrategies.ConfigChoices.Values)
        {
            Assert.That(RoutingStrategies.Get(name).Name, Is.EqualTo(name));
        }
    }

    private static void Measure(TargetStateRegistry states, RouteTarget target, int millis)
    {
        states.Get(target.Ref).Begin();
        states.Get(target.Ref).End(true, TimeSpan.FromMilliseconds(millis), null, DateTimeOffset.UtcNow);
    }
}
