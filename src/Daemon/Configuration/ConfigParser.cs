using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Pricing;
using Cortex.Llmd.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Configuration;

/// <summary>Turns an IConfiguration into validated <see cref="DaemonOptions"/>, collecting every error.</summary>
public sealed class ConfigParser(ProviderFactoryRegistry factories)
{
    private static readonly Dictionary<string, LogLevel> LogLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["information"] = LogLevel.Information,
        ["warning"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["critical"] = LogLevel.Critical,
    };

    public DaemonOptions? Parse(IConfiguration configuration, ConfigErrors errors)
    {
        var root = new ConfigNode(configuration, string.Empty, errors);
        root.AllowOnly("server", "logging", "providers", "routes", "tasks", "validation", "health", "ledger", "budgets", "budgetDefaultMaxTokens");

        ServerOptions server = ParseServer(root.Child("server"));
        ConfigNode logging = root.Child("logging");
        logging.AllowOnly("level");
        LogLevel level = logging.Choice("level", LogLevel.Information, LogLevels);

        Dictionary<string, ProviderOptions> providers = ParseProviders(root.Child("providers"));
        var declared = new HashSet<string>(root.Child("providers").Children().Select(c => c.Key), StringComparer.OrdinalIgnoreCase);
        Dictionary<string, RouteOptions> routes = ParseRoutes(root.Child("routes"), providers, declared);
        TaskRoutingOptions tasks = ParseTasks(root.Child("tasks"), routes);
        CheckFallbacks(root.Child("routes"), routes);

        ValidationOptions validation = ParseValidation(root.Child("validation"));
        Health.HealthOptions health = Health.HealthOptions.Parse(root.Child("health"));
        LedgerOptions ledger = LedgerOptions.Parse(root.Child("ledger"));
        IReadOnlyList<BudgetOptions> budgets = BudgetOptions.ParseAll(root.Child("budgets"), routes);
        long budgetMaxTokens = root.Number("budgetDefaultMaxTokens", BudgetOptions.DefaultMaxTokens, 1, 10_000_000);
        if (errors.Any)
        {
            return null;
        }

        return new DaemonOptions
        {
            Server = server, LogLevel = level, Providers = providers, Routes = routes, Tasks = tasks, Validation = validation, Health = health, Ledger = ledger,
            Budgets = budgets, BudgetDefaultMaxTokens = budgetMaxTokens,
        };
    }

    private static ServerOptions ParseServer(ConfigNode node)
    {
        node.AllowOnly("socketPath", "socketMode", "socketGroup", "maxReceiveMessageBytes", "maxConcurrentStreams", "shutdownTimeout", "reflection");
        var defaults = new ServerOptions();
        string? socketPath = node.Text("socketPath");
        if (socketPath is { Length: > 0 } && !Path.IsPathFullyQualified(socketPath))
        {
            node.Error("socketPath", $"'{socketPath}' must be an absolute path");
        }

        return new ServerOptions
        {
            SocketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath,
            SocketMode = ParseMode(node, defaults.SocketMode),
            SocketGroup = node.Text("socketGroup", defaults.SocketGroup)!,
            MaxReceiveMessageBytes = (int)node.Number("maxReceiveMessageBytes", defaults.MaxReceiveMessageBytes, 1024, 64L * 1024 * 1024),
            MaxConcurrentStreams = (int)node.Number("maxConcurrentStreams", defaults.MaxConcurrentStreams, 1, 10_000),
            ShutdownTimeout = node.Duration("shutdownTimeout", defaults.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10)),
            Reflection = node.Flag("reflection", defaults.Reflection),
        };
    }

    private static UnixFileMode ParseMode(ConfigNode node, UnixFileMode fallback)
    {
        string? text = node.Text("socketMode");
        if (text is null)
        {
            return fallback;
        }

        try
        {
            int mode = Convert.ToInt32(text, 8);
            if (mode is < 0 or > 0b111_111_111)
            {
                throw new FormatException();
            }

            return (UnixFileMode)mode;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            node.Error("socketMode", $"'{text}' is not an octal file mode such as \"0660\"");
            return fallback;
        }
    }

    private Dictionary<string, ProviderOptions> ParseProviders(ConfigNode node)
    {
        // Names compare like configuration keys do (case-insensitively), so env overrides address them.
        var providers = new Dictionary<string, ProviderOptions>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, ConfigNode provider) in node.Children())
        {
            if (name.Contains('/', StringComparison.Ordinal))
            {
                provider.Error("a provider name must not contain '/'");
            }

            string kind = provider.RequiredText("kind");
            if (kind.Length == 0)
            {
                continue;
            }

            if (!factories.TryGet(kind, out IProviderFactory? factory))
            {
                provider.Error("kind", $"unknown provider kind '{kind}' (known: {string.Join(", ", factories.Kinds)})");
                continue;
            }

            string? defaultModel = provider.Text("defaultModel");
            IProviderSettings settings = factory.Parse(provider, [.. CommonProviderKeys]);
            providers[name] = new ProviderOptions(name, factory.Kind, defaultModel, settings)
            {
                Models = ParseModels(provider.Child("models"), factory.DefaultCapabilities),
                DefaultCapabilities = factory.DefaultCapabilities,
                Policy = TargetPolicy.Parse(provider, factory.DefaultPolicy),
            };
        }

        if (providers.Count == 0 && !node.Errors.Any)
        {
            node.Error("at least one provider must be configured");
        }

        return providers;
    }

    /// <summary>Keys every provider section may have, whatever its kind.</summary>
    public static IEnumerable<string> CommonProviderKeys => ["kind", "defaultModel", "models", .. TargetPolicy.ConfigKeys];

    /// <summary>
    /// Models by name: an object keyed by model name, or an array of objects with a "name", which is
    /// needed for names containing ':' (Ollama tags such as "qwen2.5-coder:7b"), since configuration
    /// keys use ':' as their path separator.
    /// </summary>
    private static Dictionary<string, ModelOptions> ParseModels(ConfigNode node, ModelCapabilities defaults)
    {
        var models = new Dictionary<string, ModelOptions>(StringComparer.Ordinal);
        foreach ((string key, ConfigNode entry) in node.Children())
        {
            bool listed = key.All(char.IsAsciiDigit);
            entry.AllowOnly(listed ? [.. ModelCapabilities.ConfigKeys, "price", "name"] : [.. ModelCapabilities.ConfigKeys, "price"]);
            string name = listed ? entry.RequiredText("name") : key;
            ModelCapabilities capabilities = ModelCapabilities.Parse(entry, defaults, checkKeys: false);
            models[name] = new ModelOptions(capabilities, entry.Exists("price") ? ModelPrice.Parse(entry.Child("price")) : null);
        }

        return models;
    }

    private static ValidationOptions ParseValidation(ConfigNode node)
    {
        node.AllowOnly("refusalPatterns", "refusalWindow", "rejectEmpty");
        var defaults = new ValidationOptions();
        return new ValidationOptions
        {
            RefusalPatterns = node.Exists("refusalPatterns") ? node.StringList("refusalPatterns") : defaults.RefusalPatterns,
            RefusalWindow = (int)node.Number("refusalWindow", defaults.RefusalWindow, 0, 100_000),
            RejectEmpty = node.Flag("rejectEmpty", defaults.RejectEmpty),
        };
    }

    private static Dictionary<string, RouteOptions> ParseRoutes(ConfigNode node, Dictionary<string, ProviderOptions> providers, HashSet<string> declared)
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
                Strategy = route.Choice("strategy", "priority", Routing.Strategies.RoutingStrategies.ConfigChoices),
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

    /// <summary>
    /// A target is "provider/model" or { "provider", "model", "weight", policy overrides }. A provider that
    /// is declared but invalid was reported under providers.NAME already; its routes do not repeat it.
    /// </summary>
    private static RouteTarget? ParseTarget(ConfigNode node, Dictionary<string, ProviderOptions> providers, HashSet<string> declared)
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

    private static TaskRoutingOptions ParseTasks(ConfigNode node, Dictionary<string, RouteOptions> routes)
    {
        var map = new Dictionary<TaskType, string>();
        string? defaultRoute = null;
        foreach ((string key, ConfigNode task) in node.Children())
        {
            string? route = task.Value;
            if (route is null)
            {
                task.Error("expected a route name");
                continue;
            }

            if (!routes.TryGetValue(route, out RouteOptions? known))
            {
                task.Error($"unknown route '{route}'");
                continue;
            }

            route = known.Name;

            if (string.Equals(key, "default", StringComparison.OrdinalIgnoreCase))
            {
                defaultRoute = route;
            }
            else if (TaskNames.ByConfigKey.TryGetValue(key, out TaskType type))
            {
                map[type] = route;
            }
            else
            {
                task.Error($"unknown task type (expected default or one of: {string.Join(", ", TaskNames.ByConfigKey.Keys)})");
            }
        }

        if (defaultRoute is null)
        {
            if (node.Exists("default"))
            {
                return new TaskRoutingOptions(string.Empty, map);
            }

            // Without a default, the first route in the file serves every unmapped task.
            defaultRoute = routes.Keys.FirstOrDefault() ?? string.Empty;
        }

        return new TaskRoutingOptions(defaultRoute, map);
    }

    private static void CheckFallbacks(ConfigNode node, Dictionary<string, RouteOptions> routes)
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
}
