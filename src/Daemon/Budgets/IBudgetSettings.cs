using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Budgets;

/// <summary>
/// The part of the configuration budget checks read: the limits, the output reserve, and the providers
/// whose prices bound a request's worst case. The daemon's options implement it, so budgets need not
/// know the whole configuration.
/// </summary>
public interface IBudgetSettings
{
    IReadOnlyList<BudgetOptions> Budgets { get; }

    long BudgetDefaultMaxTokens { get; }

    IReadOnlyDictionary<string, ProviderOptions> Providers { get; }
}
