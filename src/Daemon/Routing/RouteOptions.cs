using System.Globalization;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>A target as a route lists it, with the policy and weight that apply within that route.</summary>
public sealed record RouteTarget(TargetRef Ref, TargetPolicy Policy, double Weight);

public sealed record RouteOptions(string Name, IReadOnlyList<RouteTarget> Targets, IReadOnlyList<string> Fallbacks)
{
    /// <summary>Name of the strategy ordering the targets (see Routing/Strategies).</summary>
    public string Strategy { get; init; } = "priority";

    /// <summary>For lowest-latency: the share of requests that try a random other target first.</summary>
    public double Exploration { get; init; } = 0.05;

    /// <summary>
    /// Reads the "routes" section. <paramref name="declared"/> holds every provider name in the file,
    /// valid or not, so a route naming an invalid provider does not repeat that provider's error.
    /// Fallbacks are checked by <see cref="CheckFallbacks"/> once the task map has been read.
    /// </summary>
    public static Dictionary<string, RouteOptions> ParseAll(ConfigNode node, IReadOnlyDictionary<string, ProviderOptions> providers, IReadOnlySet<string> declared)
    {
        var routes = new Dictionary<string, RouteOptions>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, ConfigNode route) in node.Children())
        {
            route.AllowOnly("targets", "fallbacks", "strategy", "exploration");
            var targets = new List<RouteTarget>();
            ConfigNode targetsNode = route.Child("targets");
            foreach ((string _, ConfigNode target) in targetsNode.Children().OrderBy(c => c.Key, ConfigNode.IndexOrder.Instance))
            {
                if (ParseTarget(target, providers, declared) is { } t)
                {
                    targets.Add(t);
                }
            }

            if (!route.Exists("targets") || (targets.Count == 0 && !targetsNode.Children().Any()))
            {
                route.Error("targets", "a route needs at least one target");
            }

            routes[name] = new RouteOptions(name, targets, route.StringList("fallbacks"))
            {
                Strategy = route.Choice("strategy", "priority", Strategies.RoutingStrategies.ConfigChoices),
                Exploration = route.Number("exploration", 5, 0, 100) / 100.0,
            };
        }

        foreach (RouteOptions route in routes.Values.ToList())
        {
            routes[route.Name] = route with { Fallbacks = route.Fallbacks.Select(f => routes.TryGetValue(f, out RouteOptions? r) ? r.Name : f).ToList() };
        }

        if (routes.Count == 0)
        {
            node.Error("at least one route must be configured");
        }

        return routes;
    }

    /// <summary>Reports each fallback naming no configured route, under routes.NAME.fallbacks:INDEX.</summary>
    public static void CheckFallbacks(ConfigNode node, IReadOnlyDictionary<string, RouteOptions> routes)
    {
        foreach (RouteOptions route in routes.Values)
        {
            for (int i = 0; i < route.Fallbacks.Count; i++)
            {
                string fallback = route.Fallbacks[i];
                if (!routes.ContainsKey(fallback))
                {
                    node.Child(route.Name).Error(
                        "fallbacks:" + i.ToString(CultureInfo.InvariantCulture), $"unknown route '{fallback}'");
                }
            }
        }
    }

    /// <summary>
    /// A target is "provider/model" or { "provider", "model", "weight", policy overrides }. A provider that
    /// is declared but invalid was reported under providers.NAME already; its routes do not repeat it.
    /// </summary>
    private static RouteTarget? ParseTarget(ConfigNode node, IReadOnlyDictionary<string, ProviderOptions> providers, IReadOnlySet<string> declared)
    {
        string provider;
        string model;
        if (node.Value is { } text)
        {
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == text.Length - 1)
            {
                node.Error($"'{text}' is not \"provider/model\"");
                return null;
            }

            provider = text[..slash];
            model = text[(slash + 1)..];
        }
        else
        {
            node.AllowOnly(["provider", "model", "weight", .. TargetPolicy.ConfigKeys]);
            provider = node.RequiredText("provider");
            model = node.RequiredText("model");
            if (provider.Length == 0 || model.Length == 0)
            {
                return null;
            }
        }

        if (!providers.TryGetValue(provider, out ProviderOptions? known))
        {
            if (!declared.Contains(provider))
            {
                node.Error($"unknown provider '{provider}'");
            }

            return null;
        }

        bool shorthand = node.Value is not null;
        return new RouteTarget(
            new TargetRef(known.Name, model),
            shorthand ? known.Policy : TargetPolicy.Parse(node, known.Policy),
            shorthand ? 1 : node.Number("weight", 1, 0, 1_000_000));
    }
}
