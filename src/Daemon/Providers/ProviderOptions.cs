using Cortex.Llmd.Configuration;
using Cortex.Llmd.Model;
using Cortex.Llmd.Pricing;

namespace Cortex.Llmd.Providers;

/// <summary>One configured provider. Kind-specific settings were parsed and validated by its factory.</summary>
public sealed record ProviderOptions(string Name, string Kind, string? DefaultModel, IProviderSettings Settings)
{
    public IReadOnlyDictionary<string, ModelOptions> Models { get; init; } = new Dictionary<string, ModelOptions>();

    public ModelCapabilities DefaultCapabilities { get; init; } = ModelCapabilities.Default;

    /// <summary>How this provider's targets are attempted unless a route's target says otherwise.</summary>
    public TargetPolicy Policy { get; init; } = TargetPolicy.Cloud;

    /// <summary>Keys every provider section may have, whatever its kind.</summary>
    public static IEnumerable<string> CommonKeys => ["kind", "defaultModel", "models", .. TargetPolicy.ConfigKeys];

    public ModelCapabilities CapabilitiesOf(string model) => Models.TryGetValue(model, out ModelOptions? m) ? m.Capabilities : DefaultCapabilities;

    /// <summary>Null when the model has no configured price: its cost is then unknown, never $0.</summary>
    public ModelPrice? PriceOf(string model) => Models.TryGetValue(model, out ModelOptions? m) ? m.Price : null;

    /// <summary>
    /// Reads the "providers" section; each provider's kind-specific keys are parsed by the factory of its kind.
    /// Names compare like configuration keys do (case-insensitively), so env overrides address them.
    /// </summary>
    public static Dictionary<string, ProviderOptions> ParseAll(ConfigNode node, ProviderFactoryRegistry factories)
    {
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
            IProviderSettings settings = factory.Parse(provider, [.. CommonKeys]);
            providers[name] = new ProviderOptions(name, factory.Kind, defaultModel, settings)
            {
                Models = ModelOptions.ParseAll(provider.Child("models"), factory.DefaultCapabilities),
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
}

/// <summary>What the config says about one model of a provider.</summary>
public sealed record ModelOptions(ModelCapabilities Capabilities, ModelPrice? Price)
{
    /// <summary>
    /// Models by name: an object keyed by model name, or an array of objects with a "name", which is
    /// needed for names containing ':' (Ollama tags such as "qwen2.5-coder:7b"), since configuration
    /// keys use ':' as their path separator.
    /// </summary>
    public static Dictionary<string, ModelOptions> ParseAll(ConfigNode node, ModelCapabilities defaults)
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
}
