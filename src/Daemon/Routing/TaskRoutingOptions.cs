using Cortex.Llm.V1;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing;

public sealed record TaskRoutingOptions(string DefaultRoute, IReadOnlyDictionary<TaskType, string> Routes)
{
    public string RouteFor(TaskType task) => Routes.TryGetValue(task, out string? route) ? route : DefaultRoute;

    /// <summary>Reads the "tasks" section: task config keys, or "default", each naming a configured route.</summary>
    public static TaskRoutingOptions Parse(ConfigNode node, IReadOnlyDictionary<string, RouteOptions> routes)
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
}
