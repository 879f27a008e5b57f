using System.Globalization;
using System.Text;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// The model ids one configuration offers, and the mapping of a <c>model</c> field onto a request.
/// Build one per configuration (it is immutable; a reload makes a new one). Ids, in listing order:
/// <c>cortex/auto</c>; <c>cortex/&lt;route&gt;</c> per route; <c>cortex/task/&lt;task&gt;</c> per task type;
/// then every concrete <c>provider/model</c> a route targets, a provider defaults to, or a provider's
/// <c>models</c> section names, each once, sorted.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>The most ids an unknown-model error lists before "and N more".</summary>
    public const int MaxListedInError = 50;

    private readonly IRoutingOptions _options;
    private readonly HashSet<string> _targets = new(StringComparer.Ordinal);

    public ModelCatalog(IRoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var ids = new List<string> { ModelName.AutoId };
        ids.AddRange(options.Routes.Values.Select(r => ModelName.Prefix + r.Name));
        ids.AddRange(TaskIds.All.Select(t => ModelName.TaskPrefix + TaskIds.Of(t)));
        foreach (RouteOptions route in options.Routes.Values)
        {
            foreach (RouteTarget target in route.Targets)
            {
                AddTarget(target.Ref.Provider, target.Ref.Model);
            }
        }

        foreach (ProviderOptions provider in options.Providers.Values)
        {
            AddTarget(provider.Name, provider.DefaultModel);
            foreach (string model in provider.Models.Keys)
            {
                AddTarget(provider.Name, model);
            }
        }

        ids.AddRange(_targets.Order(StringComparer.Ordinal));
        Ids = ids;
    }

    /// <summary>Every id, in the order <c>GET /v1/models</c> lists them.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>
    /// Points the request where the id says: a route, a task type, or a forced provider and model
    /// (cortex/auto forces nothing). Returns null on success, else a 404 listing the valid ids. A
    /// configured provider with a model no config names is accepted, as the gRPC door accepts it: local
    /// servers and aggregators serve many more models than a config lists.
    /// </summary>
    public OpenAiError? Apply(string id, CompleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(request);
        ModelName name = ModelName.Parse(id);
        switch (name.Kind)
        {
            case ModelNameKind.Auto:
                return null;
            case ModelNameKind.Route when _options.Routes.TryGetValue(name.Name, out RouteOptions? route):
                request.Route = route.Name;
                return null;
            case ModelNameKind.Task when TaskIds.TryParse(name.Name, out TaskType task):
                request.TaskType = task;
                return null;
            case ModelNameKind.Target when _options.Providers.TryGetValue(name.Name, out ProviderOptions? provider):
                request.Provider = provider.Name;
                request.Model = name.Model;
                return null;
            default:
                return Unknown(id);
        }
    }

    /// <summary>The 404 for an id this configuration does not serve, listing at most <see cref="MaxListedInError"/> valid ids.</summary>
    public OpenAiError Unknown(string id)
    {
        var text = new StringBuilder("The model ").Append(Quote.Of(id)).Append(" does not exist here. Valid model ids: ");
        int listed = Math.Min(Ids.Count, MaxListedInError);
        text.AppendJoin(", ", Ids.Take(listed).Select(i => Quote.Clip(i)));
        if (Ids.Count > listed)
        {
            text.Append(CultureInfo.InvariantCulture, $", and {Ids.Count - listed} more (GET /v1/models lists them all)");
        }

        return new OpenAiError(404, OpenAiErrors.InvalidRequestType, "model_not_found", Quote.Message(text.ToString()), "model");
    }

    private void AddTarget(string provider, string? model)
    {
        // A provider named "cortex" would collide with our own ids, which win (see ModelName).
        if (!string.IsNullOrEmpty(model) && !provider.Equals("cortex", StringComparison.OrdinalIgnoreCase))
        {
            _targets.Add(provider + "/" + model);
        }
    }
}
