using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Model;

/// <summary>
/// The immutable model requests are served from: validated options and the providers built from them.
/// A reload swaps the whole model; per-target state lives elsewhere and survives the swap.
/// </summary>
public sealed class RuntimeModel : IDisposable
{
    public RuntimeModel(DaemonOptions options, IReadOnlyDictionary<string, IProvider> providers, DateTimeOffset loadedAt)
    {
        Options = options;
        Providers = providers;
        LoadedAt = loadedAt;
    }

    public DaemonOptions Options { get; }

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
public sealed class RuntimeModelHolder(RuntimeModel initial) : IDisposable
{
    private RuntimeModel _current = initial;

    public RuntimeModel Current => Volatile.Read(ref _current);

    public void Swap(RuntimeModel next) => Volatile.Write(ref _current, next);

    public void Dispose() => Current.Dispose();
}
