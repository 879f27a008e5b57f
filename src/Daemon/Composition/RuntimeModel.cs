using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Composition;

/// <summary>
/// The immutable model requests are served from: validated options and the providers built from them.
/// A reload swaps the whole model; per-target state lives elsewhere and survives the swap.
/// </summary>
public sealed class RuntimeModel : IRoutingModel, IDisposable
{
    public RuntimeModel(DaemonOptions options, IReadOnlyDictionary<string, IProvider> providers, DateTimeOffset loadedAt)
    {
        Options = options;
        Providers = providers;
        LoadedAt = loadedAt;
    }

    public DaemonOptions Options { get; }

    IRoutingOptions IRoutingModel.Options => Options;

    public IReadOnlyDictionary<string, IProvider> Providers { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>Releases what providers hold (their HttpClients). Call once nothing uses this model any more.</summary>
    public void Dispose()
    {
        foreach (IProvider provider in Providers.Values)
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    public static RuntimeModel Build(DaemonOptions options, ProviderFactoryRegistry factories, ProviderContext context)
    {
        var providers = new Dictionary<string, IProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (ProviderOptions provider in options.Providers.Values)
        {
            factories.TryGet(provider.Kind, out IProviderFactory? factory);
            providers[provider.Name] = factory!.Create(provider, context);
        }

        return new RuntimeModel(options, providers, context.TimeProvider.GetUtcNow());
    }
}

/// <summary>Holds the current model; readers take one snapshot per request. Disposes the last one at shutdown.</summary>
public sealed class RuntimeModelHolder(RuntimeModel initial) : IRoutingModelSource, IDisposable
{
    private RuntimeModel _current = initial;

    public RuntimeModel Current => Volatile.Read(ref _current);

    IRoutingModel IRoutingModelSource.Current => Current;

    public void Swap(RuntimeModel next) => Volatile.Write(ref _current, next);

    public void Dispose() => Current.Dispose();
}
