using System.Globalization;
using Cortex.Llmd.Callers;

namespace Cortex.Llmd.Budgets;

/// <summary>
/// Spend is counted per key, whatever budgets exist, so that a reload that adds a budget finds its
/// scope's spend already known: "global", "tenant:&lt;id&gt;", "uid:&lt;n&gt;", "unit:&lt;name&gt;".
/// </summary>
public static class SpendKeys
{
    public const string Global = "global";

    public static string Of(BudgetScope scope, string match) => scope switch
    {
        BudgetScope.Tenant => "tenant:" + match,
        BudgetScope.Uid => "uid:" + match,
        BudgetScope.Unit => "unit:" + match,
        _ => Global,
    };

    /// <summary>Every key a request's spend counts against: global, and each of tenant, uid and unit it has.</summary>
    public static IReadOnlyList<string> For(string tenant, uint? uid, string unit)
    {
        var keys = new List<string>(4) { Global };
        if (tenant.Length > 0)
        {
            keys.Add(Of(BudgetScope.Tenant, tenant));
        }

        if (uid is { } u)
        {
            keys.Add(Of(BudgetScope.Uid, u.ToString(CultureInfo.InvariantCulture)));
        }

        if (unit.Length > 0)
        {
            keys.Add(Of(BudgetScope.Unit, unit));
        }

        return keys;
    }

    public static IReadOnlyList<string> For(string tenant, CallerInfo caller) => For(tenant, caller.Uid, caller.Unit);
}
