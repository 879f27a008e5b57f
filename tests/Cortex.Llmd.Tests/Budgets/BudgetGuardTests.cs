using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Model;
using Cortex.Llmd.Pricing;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Mock;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Tests.Budgets;

public class BudgetGuardTests
{
    /// <summary>Options with a priced "cloud/m" ($1000 per million tokens both ways) and an unpriced "local/l".</summary>
    internal static DaemonOptions Options(IReadOnlyList<BudgetOptions> budgets)
    {
        var price = new ModelPrice(1_000_000_000_000, 1_000_000_000_000, 1_000_000_000_000, 1_000_000_000_000, 1_000_000_000_000);
        return new DaemonOptions
        {
            Server = new ServerOptions(),
            Providers = new Dictionary<string, ProviderOptions>
            {
                ["cloud"] = new("cloud", "mock", null, new MockSettings())
                {
                    Models = new Dictionary<string, ModelOptions> { ["m"] = new(Cortex.Llmd.Providers.ModelCapabilities.Default, price) },
                },
                ["local"] = new("local", "mock", null, new MockSettings()),
            },
            Routes = new Dictionary<string, RouteOptions>(),
            Tasks = new TaskRoutingOptions(string.Empty, new Dictionary<TaskType, string>()),
            Budgets = budgets,
        };
    }

    private static RoutePlan Plan(string route, params string[] targets) => new(
        TaskType.Unspecified, route, [.. targets.Select(t => new PlannedCandidate(new TargetRef(t.Split('/')[0], t.Split('/')[1]), route, true, "test"))])
    {
        Facts = new RequestFacts(false, false, false, 3, 0, 0),
    };

    [Test]
    public void WorstCase_PricedAndUnpricedTargets_UsesDearestPricedTargetInputBoundAndMaxTokens()
    {
        var guard = new BudgetGuard(new SpendBook(TimeProvider.System), new FixedSpendSource([]), new Cortex.Llmd.Events.EventHub(TimeProvider.System),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BudgetGuard>.Instance);
        DaemonOptions options = Options([]) with { BudgetDefaultMaxTokens = 100 };

        long withMax = guard.WorstCase(Plan("r", "local/l", "cloud/m"), new CompleteRequest { MaxTokens = 7 }, options);
        long withDefault = guard.WorstCase(Plan("r", "cloud/m"), new CompleteRequest(), options);
        long unpriced = guard.WorstCase(Plan("r", "local/l"), new CompleteRequest(), options);

        Assert.That((withMax, withDefault, unpriced), Is.EqualTo(((InputTokenBound.PerRequest + 7) * 1_000_000L, (InputTokenBound.PerRequest + 100) * 1_000_000L, 0L)));
    }

    [Test]
    public void Settle_FirstCall_LoadsRecordedSpendOnceThenCountsInMemory()
    {
        var source = new FixedSpendSource([new RecordedSpend("acme", null, string.Empty, 500, 200)]);
        var guard = new BudgetGuard(new SpendBook(TimeProvider.System), source, new Cortex.Llmd.Events.EventHub(TimeProvider.System),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BudgetGuard>.Instance);

        guard.Settle(Reservation.None, "acme", Cortex.Llmd.Callers.CallerInfo.Unknown, 10, Options([]));
        guard.Settle(Reservation.None, "acme", Cortex.Llmd.Callers.CallerInfo.Unknown, 10, Options([]));

        Assert.That((guard.Book.Spent("tenant:acme", BudgetPeriod.Monthly), guard.Book.Spent("global", BudgetPeriod.Daily)), Is.EqualTo((520L, 220L)), "loaded once, not twice");
    }

    [Test]
    public void Settle_SpendSourceUnavailable_StartsFromZeroWithoutThrowing()
    {
        var guard = new BudgetGuard(new SpendBook(TimeProvider.System), new FixedSpendSource(null), new Cortex.Llmd.Events.EventHub(TimeProvider.System),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BudgetGuard>.Instance);

        Assert.DoesNotThrow(() => guard.Settle(Reservation.None, string.Empty, Cortex.Llmd.Callers.CallerInfo.Unknown, 10, Options([])));
        Assert.That(guard.Book.Spent("global", BudgetPeriod.Monthly), Is.EqualTo(10));
    }
}
