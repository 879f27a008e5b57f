using System.Globalization;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Budgets;

/// <summary>Whose spend a budget limits.</summary>
public enum BudgetScope
{
    Global,
    Tenant,
    Uid,
    Unit,
}

/// <summary>What happens to a request while a budget it falls under is exhausted.</summary>
public enum ExhaustedPolicy
{
    Reject,
    Downgrade,
}

/// <summary>
/// One entry of the <c>budgets</c> list: a daily and/or monthly limit (UTC periods) on the spend of a
/// scope, in integer nano-USD, and what to do once it is exhausted.
/// </summary>
public sealed record BudgetOptions(string Name, BudgetScope Scope, string Match, long? DailyNanoUsd, long? MonthlyNanoUsd)
{
    public static readonly string[] ConfigKeys = ["name", "scope", "match", "daily", "monthly", "onExhausted", "downgradeRoute"];

    /// <summary>Output tokens reserved for a request that sets no max_tokens (root key <c>budgetDefaultMaxTokens</c>).</summary>
    public const long DefaultMaxTokens = 4096;

    private const long NanoPerUsd = 1_000_000_000;

    private static readonly Dictionary<string, BudgetScope> Scopes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["global"] = BudgetScope.Global,
        ["tenant"] = BudgetScope.Tenant,
        ["uid"] = BudgetScope.Uid,
        ["unit"] = BudgetScope.Unit,
    };

    private static readonly Dictionary<string, ExhaustedPolicy> Policies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["reject"] = ExhaustedPolicy.Reject,
        ["downgrade"] = ExhaustedPolicy.Downgrade,
    };

    public ExhaustedPolicy OnExhausted { get; init; } = ExhaustedPolicy.Reject;

    /// <summary>The route a downgraded request is planned on; empty for <see cref="ExhaustedPolicy.Reject"/>.</summary>
    public string DowngradeRoute { get; init; } = string.Empty;

    /// <summary>The spend key this budget counts (see <see cref="SpendKeys"/>).</summary>
    public string Key => SpendKeys.Of(Scope, Match);

    public string ScopeName => Scope.ToString().ToLowerInvariant();

    public long? LimitOf(BudgetPeriod period) => period == BudgetPeriod.Daily ? DailyNanoUsd : MonthlyNanoUsd;

    /// <summary>Parses the <c>budgets</c> list, reporting every error with its key path.</summary>
    public static IReadOnlyList<BudgetOptions> ParseAll(ConfigNode node, IReadOnlyDictionary<string, RouteOptions> routes)
    {
        var budgets = new List<BudgetOptions>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string _, ConfigNode entry) in node.Children().OrderBy(c => c.Key, ConfigNode.IndexOrder.Instance))
        {
            if (Parse(entry, routes) is { } budget)
            {
                if (!names.Add(budget.Name))
                {
                    entry.Error("name", $"duplicate budget name '{budget.Name}'");
                }

                budgets.Add(budget);
            }
        }

        return budgets;
    }

    private static BudgetOptions? Parse(ConfigNode node, IReadOnlyDictionary<string, RouteOptions> routes)
    {
        if (node.Value is not null)
        {
            node.Error("expected an object with name, scope, daily and/or monthly");
            return null;
        }

        node.AllowOnly(ConfigKeys);
        string name = node.RequiredText("name");
        string? scopeText = node.Text("scope");
        if (scopeText is null)
        {
            node.Error("scope", "is required (global, tenant, uid or unit)");
        }

        BudgetScope scope = node.Choice("scope", BudgetScope.Global, Scopes);
        string match = ParseMatch(node, scope, scopeText is not null);
        long? daily = Usd(node, "daily");
        long? monthly = Usd(node, "monthly");
        if (!node.Exists("daily") && !node.Exists("monthly"))
        {
            node.Error("a budget needs a daily or a monthly limit (USD), or both");
        }

        ExhaustedPolicy policy = node.Choice("onExhausted", ExhaustedPolicy.Reject, Policies);
        string downgrade = ParseDowngradeRoute(node, policy, routes);
        return new BudgetOptions(name, scope, match, daily, monthly) { OnExhausted = policy, DowngradeRoute = downgrade };
    }

    private static string ParseMatch(ConfigNode node, BudgetScope scope, bool scopeGiven)
    {
        if (scope == BudgetScope.Global)
        {
            if (node.Exists("match") && scopeGiven)
            {
                node.Error("match", "a global budget matches every request; remove match");
            }

            return string.Empty;
        }

        string match = node.RequiredText("match");
        if (scope == BudgetScope.Uid && match.Length > 0 && !uint.TryParse(match, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            node.Error("match", $"'{match}' is not a numeric uid");
        }

        return match;
    }

    private static string ParseDowngradeRoute(ConfigNode node, ExhaustedPolicy policy, IReadOnlyDictionary<string, RouteOptions> routes)
    {
        string? route = node.Text("downgradeRoute");
        if (policy != ExhaustedPolicy.Downgrade)
        {
            if (route is not null)
            {
                node.Error("downgradeRoute", "is only used with \"onExhausted\": \"downgrade\"");
            }

            return string.Empty;
        }

        if (string.IsNullOrWhiteSpace(route))
        {
            node.Error("downgradeRoute", "is required with \"onExhausted\": \"downgrade\"");
            return string.Empty;
        }

        if (!routes.TryGetValue(route, out RouteOptions? known))
        {
            node.Error("downgradeRoute", $"unknown route '{route}' (configured: {string.Join(", ", routes.Keys)})");
            return string.Empty;
        }

        return known.Name;
    }

    /// <summary>A limit in USD as decimal text ("5", "0.25"), held as integer nano-USD.</summary>
    private static long? Usd(ConfigNode node, string key)
    {
        string? text = node.Text(key);
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal usd) || usd > 1_000_000_000)
        {
            node.Error(key, $"'{text}' is not an amount in USD (such as \"5\" or \"0.25\")");
            return null;
        }

        decimal nano = usd * NanoPerUsd;
        if (nano != decimal.Truncate(nano))
        {
            node.Error(key, $"'{text}' has more precision than a nano-USD");
            return null;
        }

        if (nano <= 0)
        {
            node.Error(key, "must be more than $0");
            return null;
        }

        return (long)nano;
    }
}

/// <summary>The UTC periods a budget limits.</summary>
public enum BudgetPeriod
{
    Daily,
    Monthly,
}
