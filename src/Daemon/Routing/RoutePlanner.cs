using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing.Strategies;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Maps a request to its ordered candidate chain: the route (named, or from the task table) ordered by
/// its strategy, then its fallback routes breadth-first. Every target appears once, so no config can make
/// a request loop. Each candidate is then judged: forced narrowing, availability, capabilities.
/// </summary>
public sealed class RoutePlanner(TargetStateRegistry states, ITargetGate gate, Validation.SchemaCache schemas, Random random)
{
    private readonly RequestValidator _validator = new(schemas);

    public RoutePlan Plan(CompleteRequest request, IRoutingModel model, bool streaming = false)
    {
        _validator.Validate(request);
        IRoutingOptions options = model.Options;
        string routeName = ResolveRoute(request, options);
        RequestFacts facts = RequestFacts.Of(request, streaming);

        List<PlannedCandidate> chain = Chain(routeName, options, facts);
        chain = ForcedSelection.Apply(request, chain, routeName, options.Providers);
        var judge = new CandidateJudge(model, gate, facts);
        chain = [.. chain.Select(judge.Judge)];
        if (request.AllowFallback == false)
        {
            chain = KeepFirstEligible(chain);
        }

        return new RoutePlan(request.TaskType, routeName, chain) { Facts = facts };
    }

    private static string ResolveRoute(CompleteRequest request, IRoutingOptions options)
    {
        if (request.Route.Length > 0)
        {
            return options.Routes.TryGetValue(request.Route, out RouteOptions? named)
                ? named.Name
                : throw new RouterException(RouterErrorCode.UnknownName,
                    $"unknown route {Quote.Of(request.Route)} (configured: {Quote.List(options.Routes.Keys)})");
        }

        string route = options.Tasks.RouteFor(request.TaskType);
        return route.Length > 0
            ? route
            : throw new RouterException(RouterErrorCode.NotConfigured,
                $"no route is configured for task {TaskNames.ConfigKey(request.TaskType)} and there is no default");
    }

    private List<PlannedCandidate> Chain(string routeName, IRoutingOptions options, RequestFacts facts)
    {
        var context = new StrategyContext(
            states, t => options.Providers[t.Provider].PriceOf(t.Model), facts.EstimatedInputTokens, facts.EstimatedOutputTokens, random);
        var chain = new List<PlannedCandidate>();
        var seenTargets = new HashSet<TargetRef>();
        var seenRoutes = new HashSet<string>(StringComparer.Ordinal) { routeName };
        var queue = new Queue<string>();
        queue.Enqueue(routeName);
        while (queue.TryDequeue(out string? name))
        {
            RouteOptions route = options.Routes[name];
            IReadOnlyList<RouteTarget> ordered = RoutingStrategies.Get(route.Strategy).Order(route, context);
            for (int i = 0; i < ordered.Count; i++)
            {
                if (seenTargets.Add(ordered[i].Ref))
                {
                    string where = name == routeName ? $"route {name}" : $"fallback route {name}";
                    chain.Add(new PlannedCandidate(ordered[i].Ref, name, true, $"{where}, {route.Strategy} #{i + 1}") { Policy = ordered[i].Policy });
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
                result.Add(c.Eligible ? c with { Eligible = false, Reason = "skipped: the request disabled fallback", ExcludedByCaller = true } : c);
            }
        }

        return result;
    }
}
