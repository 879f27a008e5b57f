using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>
/// What routing reads of the model being served: the providers built from the configuration and the
/// options that choose among them. The daemon's runtime model implements it, so routing does not
/// depend on the composition of the whole configuration.
/// </summary>
public interface IRoutingModel
{
    IRoutingOptions Options { get; }

    IReadOnlyDictionary<string, IProvider> Providers { get; }
}

/// <summary>The configuration slices routing uses.</summary>
public interface IRoutingOptions
{
    IReadOnlyDictionary<string, ProviderOptions> Providers { get; }

    IReadOnlyDictionary<string, RouteOptions> Routes { get; }

    TaskRoutingOptions Tasks { get; }

    ValidationOptions Validation { get; }
}

/// <summary>Hands out the model served right now; a reload swaps it, so read it once per use.</summary>
public interface IRoutingModelSource
{
    IRoutingModel Current { get; }
}
