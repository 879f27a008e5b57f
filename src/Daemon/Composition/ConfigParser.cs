using Cortex.Llmd.Access;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Health;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Composition;

/// <summary>
/// Turns an IConfiguration into validated <see cref="DaemonOptions"/>, collecting every error. Each
/// section is read by its feature's own Parse; this class only knows the top-level keys and their order.
/// </summary>
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
        root.AllowOnly("server", "logging", "providers", "routes", "tasks", "validation", "health", "ledger", "budgets", "budgetDefaultMaxTokens", "access", "openai", "telemetry");

        ServerOptions server = ServerOptions.Parse(root.Child("server"));
        ConfigNode logging = root.Child("logging");
        logging.AllowOnly("level");
        LogLevel level = logging.Choice("level", LogLevel.Information, LogLevels);

        Dictionary<string, ProviderOptions> providers = ProviderOptions.ParseAll(root.Child("providers"), factories);
        var declared = new HashSet<string>(root.Child("providers").Children().Select(c => c.Key), StringComparer.OrdinalIgnoreCase);
        Dictionary<string, RouteOptions> routes = RouteOptions.ParseAll(root.Child("routes"), providers, declared);
        TaskRoutingOptions tasks = TaskRoutingOptions.Parse(root.Child("tasks"), routes);
        RouteOptions.CheckFallbacks(root.Child("routes"), routes);

        ValidationOptions validation = ValidationOptions.Parse(root.Child("validation"));
        HealthOptions health = HealthOptions.Parse(root.Child("health"));
        LedgerOptions ledger = LedgerOptions.Parse(root.Child("ledger"));
        IReadOnlyList<BudgetOptions> budgets = BudgetOptions.ParseAll(root.Child("budgets"), routes);
        AccessOptions access = AccessOptions.Parse(root.Child("access"));
        OpenAi.OpenAiOptions openAi = OpenAi.OpenAiOptions.Parse(root.Child("openai"));
        if (openAi.SocketPath is { } openAiSocket && openAiSocket == server.SocketPath)
        {
            root.Child("openai").Error("socketPath", $"'{openAiSocket}' is server.socketPath too: each door needs its own socket");
        }

        Telemetry.TelemetryOptions telemetry = Telemetry.TelemetryOptions.Parse(root.Child("telemetry"));
        long budgetMaxTokens = root.Number("budgetDefaultMaxTokens", BudgetOptions.DefaultMaxTokens, 1, 10_000_000);
        if (errors.Any)
        {
            return null;
        }

        return new DaemonOptions
        {
            Server = server, LogLevel = level, Providers = providers, Routes = routes, Tasks = tasks, Validation = validation, Health = health, Ledger = ledger,
            Budgets = budgets, BudgetDefaultMaxTokens = budgetMaxTokens, Access = access, OpenAi = openAi,
            Telemetry = telemetry,
        };
    }
}
