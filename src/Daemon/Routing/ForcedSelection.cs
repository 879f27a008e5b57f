using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>
/// A forced provider and/or model narrows the chain to matching targets. It never routes elsewhere:
/// when nothing in the chain matches, only the forced target itself is attempted.
/// </summary>
internal static class ForcedSelection
{
    public static List<PlannedCandidate> Apply(CompleteRequest request, List<PlannedCandidate> chain, string routeName, IReadOnlyDictionary<string, ProviderOptions> providers)
    {
        string provider = request.Provider;
        string model = request.Model;
        if (provider.Length == 0 && model.Length == 0)
        {
            return chain;
        }

        ProviderOptions? forced = null;
        if (provider.Length > 0)
        {
            forced = providers.TryGetValue(provider, out ProviderOptions? known)
                ? known
                : throw new RouterException(RouterErrorCode.UnknownName,
                    $"unknown provider {Quote.Of(provider)} (configured: {Quote.List(providers.Keys)})");
            provider = forced.Name;
        }

        var result = new List<PlannedCandidate>(chain.Count + 1);
        foreach (PlannedCandidate c in chain)
        {
            bool providerMatches = provider.Length == 0 || c.Target.Provider == provider;
            bool modelMatches = model.Length == 0 || c.Target.Model == model;
            result.Add(providerMatches && modelMatches
                ? c with { Reason = c.Reason + ", matches the forced " + (provider.Length > 0 ? "provider" : "model") }
                : c with { Eligible = false, ExcludedByCaller = true, Reason = "skipped: not the forced " + (providerMatches ? $"model {Quote.Clip(model)}" : $"provider {Quote.Clip(provider)}") });
        }

        if (result.Any(c => c.Eligible))
        {
            return result;
        }

        string? forcedModel = model.Length > 0 ? model : forced?.DefaultModel;
        if (forced is null || string.IsNullOrEmpty(forcedModel))
        {
            throw new RouterException(RouterErrorCode.UnknownName, forced is null
                ? $"no target of route '{routeName}' or its fallbacks serves model {Quote.Of(model)}; name a provider as well"
                : $"provider {Quote.Of(provider)} has no target in route '{routeName}' and no defaultModel; name a model as well");
        }

        result.Insert(0, new PlannedCandidate(new TargetRef(provider, forcedModel), routeName, true, "forced provider and model") { Policy = forced.Policy });
        return result;
    }
}
