using System.Collections;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Budgets;

public class BudgetOptionsTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private DaemonOptions Load(string budgets)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, $$"""
            { "providers": { "m": { "kind": "mock" } }, "routes": { "main": { "targets": ["m/x"] }, "local": { "targets": ["m/y"] } },
              {{budgets}} }
            """);
        return DaemonConfig.Load(path, new Hashtable(), null, ProviderFactoryRegistry.CreateDefault());
    }

    [Test]
    public void Load_ValidBudgets_ParsesUsdAsNanoUsdAndPolicies()
    {
        DaemonOptions options = Load("""
            "budgetDefaultMaxTokens": 512,
            "budgets": [
              { "name": "all", "scope": "global", "daily": "5", "monthly": "100.25" },
              { "name": "acme", "scope": "tenant", "match": "acme", "monthly": "0.000000001", "onExhausted": "downgrade", "downgradeRoute": "LOCAL" }
            ]
            """);

        Assert.That(options.BudgetDefaultMaxTokens, Is.EqualTo(512));
        Assert.That(options.Budgets, Has.Count.EqualTo(2));
        BudgetOptions all = options.Budgets[0];
        Assert.That((all.Scope, all.Key, all.DailyNanoUsd, all.MonthlyNanoUsd, all.OnExhausted),
            Is.EqualTo((BudgetScope.Global, "global", (long?)5_000_000_000L, (long?)100_250_000_000L, ExhaustedPolicy.Reject)));
        BudgetOptions acme = options.Budgets[1];
        Assert.That((acme.Key, acme.DailyNanoUsd, acme.MonthlyNanoUsd, acme.OnExhausted, acme.DowngradeRoute),
            Is.EqualTo(("tenant:acme", (long?)null, (long?)1L, ExhaustedPolicy.Downgrade, "local")));
    }

    [Test]
    public void Load_NoBudgets_DefaultsToNoneAnd4096Tokens()
    {
        DaemonOptions options = Load("\"tasks\": {}");

        Assert.That((options.Budgets.Count, options.BudgetDefaultMaxTokens), Is.EqualTo((0, 4096L)));
    }

    [Test]
    public void Load_BadBudgets_ReportsEveryErrorWithItsKeyPath()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("""
            "budgetDefaultMaxTokens": 0,
            "budgets": [
              { "scope": "planet", "daily": "lots" },
              { "name": "a", "scope": "global", "match": "x", "monthly": "1", "onExhausted": "downgrade" },
              { "name": "a", "scope": "uid", "match": "root", "daily": "0" },
              { "name": "b", "scope": "tenant", "daily": "1", "onExhausted": "downgrade", "downgradeRoute": "nowhere", "colour": "red" },
              { "name": "c", "scope": "unit", "match": "w.service", "daily": "1", "downgradeRoute": "local" },
              { "name": "d", "scope": "global", "daily": "0.0000000001" }
            ]
            """))!;

        Assert.That(ex.Message, Does.Contain("budgetDefaultMaxTokens: 0 is out of range"));
        Assert.That(ex.Message, Does.Contain("budgets[0].name: is required"));
        Assert.That(ex.Message, Does.Contain("budgets[0].scope: 'planet' is not one of"));
        Assert.That(ex.Message, Does.Contain("budgets[0].daily: 'lots' is not an amount in USD"));
        Assert.That(ex.Message, Does.Contain("budgets[1].match: a global budget matches every request"));
        Assert.That(ex.Message, Does.Contain("budgets[1].downgradeRoute: is required with"));
        Assert.That(ex.Message, Does.Contain("budgets[2].name: duplicate budget name 'a'"));
        Assert.That(ex.Message, Does.Contain("budgets[2].match: 'root' is not a numeric uid"));
        Assert.That(ex.Message, Does.Contain("budgets[2].daily: must be more than $0"));
        Assert.That(ex.Message, Does.Contain("budgets[3].match: is required"));
        Assert.That(ex.Message, Does.Contain("budgets[3].downgradeRoute: unknown route 'nowhere'"));
        Assert.That(ex.Message, Does.Contain("budgets[3].colour: unknown key"));
        Assert.That(ex.Message, Does.Contain("budgets[4].downgradeRoute: is only used with"));
        Assert.That(ex.Message, Does.Contain("budgets[5].daily: '0.0000000001' has more precision than a nano-USD"));
    }

    [Test]
    public void Load_BudgetWithoutLimits_IsAnError()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("""
            "budgets": [ { "name": "x", "scope": "global" } ]
            """))!;

        Assert.That(ex.Message, Does.Contain("budgets[0]: a budget needs a daily or a monthly limit"));
    }
}
