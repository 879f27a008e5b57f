using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Grpc;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Maps a request to its ordered candidate chain: the route (named, or from the task table), then its
/// fallback routes breadth-first. Every target appears once, so no config can make a request loop.
/// </summary>
public sealed class RoutePlanner
{
    public RoutePlan Plan(CompleteRequest request, RuntimeModel model)
    {
        RequestValidator.Validate(request);
        DaemonOptions options = model.Options;
        string routeName = ResolveRoute(request, options);

        List<PlannedCandidate> chain = Chain(routeName, options);
        chain = ApplyForced(request, chain, routeName, options);
        if (request.AllowFallback == false)
        {
            chain = KeepFirstEligible(chain);
        }

        return new RoutePlan(request.TaskType, routeName, chain);
    }

    private static string ResolveRoute(CompleteRequest request, DaemonOptions options)
    {
        if (request.Route.Length > 0)
        {
            return options.Routes.TryGetValue(request.Route, out RouteOptions? named)
                ? named.Name
                : throw new RpcException(GrpcStatusCode.InvalidArgument,
                    $"unknown route '{request.Route}' (configured: {string.Join(", ", options.Routes.Keys)})");
        }

        string route = options.Tasks.RouteFor(request.TaskType);
        return route.Length > 0
            ? route
            : throw new RpcException(GrpcStatusCode.FailedPrecondition,
                $"no route is configured for task {TaskNames.ConfigKey(request.TaskType)} and there is no default");
    }

    private static List<PlannedCandidate> Chain(string routeName, DaemonOptions options)
    {
        var chain = new List<PlannedCandidate>();
        var seenTargets = new HashSet<TargetRef>();
        var seenRoutes = new HashSet<string>(StringComparer.Ordinal) { routeName };
        var queue = new Queue<string>();
        queue.Enqueue(routeName);
        while (queue.TryDequeue(out string? name))
        {
            RouteOptions route = options.Routes[name];
            for (int i = 0; i < route.Targets.Count; i++)
            {
                TargetRef target = route.Targets[i];
                if (seenTargets.Add(target))
                {
                    string why = name == routeName ? $"route {name}, target {i + 1}" : $"fallback route {name}, target {i + 1}";
                    chain.Add(new PlannedCandidate(target, name, true, why));
                }
            }

            foreach (string fallback in route.Fallbacks)
            {
                if (seenRoutes.Add(fallback))
                {
                    queue.Enqueue(fallback);
                }
            }
        }

        return chain;
    }

    private static List<PlannedCandidate> ApplyForced(CompleteRequest request, List<PlannedCandidate> chain, string routeName, DaemonOptions options)
    {
        string provider = request.Provider;
        string model = request.Model;
        if (provider.Length == 0 && model.Length == 0)
        {
            return chain;
        }

        if (provider.Length > 0)
        {
            provider = options.Providers.TryGetValue(provider, out ProviderOptions? known)
                ? known.Name
                : throw new RpcException(GrpcStatusCode.InvalidArgument,
                    $"unknown provider '{provider}' (configured: {string.Join(", ", options.Providers.Keys)})");
        }

        var result = new List<PlannedCandidate>(chain.Count + 1);
        foreach (PlannedCandidate c in chain)
        {
            bool providerMatches = provider.Length == 0 || c.Target.Provider == provider;
            bool modelMatches = model.Length == 0 || c.Target.Model == model;
            result.Add(providerMatches && modelMatches
                ? c with { Reason = c.Reason + ", matches the forced " + (provider.Length > 0 ? "provider" : "model") }
                : c with { Eligible = false, Reason = "skipped: not the forced " + (providerMatches ? $"model {model}" : $"provider {provider}") });
        }

        if (result.Any(c => c.Eligible))
        {
            return result;
        }

        // A forced provider outside the chain is still honoured: the caller named it explicitly.
        string? forcedModel = model.Length > 0 ? model : options.Providers.GetValueOrDefault(provider)?.DefaultModel;
        if (provider.Length == 0 || string.IsNullOrEmpty(forcedModel))
        {
            throw new RpcException(GrpcStatusCode.InvalidArgument, provider.Length == 0
                ? $"no target of route '{routeName}' or its fallbacks serves model '{model}'; name a provider as well"
                : $"provider '{provider}' has no target in route '{routeName}' and no defaultModel; name a model as well");
        }

        result.Insert(0, new PlannedCandidate(new TargetRef(provider, forcedModel), routeName, true, "forced provider and model"));
        return result;
    }

    private static List<PlannedCandidate> KeepFirstEligible(List<PlannedCandidate> chain)
    {
        bool first = true;
        var result = new List<PlannedCandidate>(chain.Count);
        foreach (PlannedCandidate c in chain)
        {
            if (c.Eligible && first)
            {
                first = false;
                result.Add(c);
            }
            else
            {
                result.Add(c.Eligible ? c with { Eligible = false, Reason = "skipped: the request disabled fallback" } : c);
            }
        }

        return result;
    }
}
