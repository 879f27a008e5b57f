using Cortex.Llmd.Composition;

namespace Cortex.Llmd.OpenAi;

/// <summary>The model ids of the configuration in force, built once per configuration (a reload brings a new one).</summary>
internal sealed class ModelCatalogCache(RuntimeModelHolder models)
{
    private Entry? _current;

    public ModelCatalog Current
    {
        get
        {
            RuntimeModel model = models.Current;
            if (Volatile.Read(ref _current) is { } hit && ReferenceEquals(hit.Model, model))
            {
                return hit.Catalog;
            }

            var entry = new Entry(model, new ModelCatalog(model.Options));
            Volatile.Write(ref _current, entry);
            return entry.Catalog;
        }
    }

    private sealed record Entry(RuntimeModel Model, ModelCatalog Catalog);
}
