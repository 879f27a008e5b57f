using System.Diagnostics.CodeAnalysis;

namespace Cortex.Llmd.Providers;

/// <summary>Provider kinds by name. Adding a kind is adding a factory here, nothing else.</summary>
public sealed class ProviderFactoryRegistry
{
    private readonly Dictionary<string, IProviderFactory> _factories = new(StringComparer.OrdinalIgnoreCase);

    public ProviderFactoryRegistry(IEnumerable<IProviderFactory> factories)
    {
        foreach (IProviderFactory factory in factories)
        {
            _factories.Add(factory.Kind, factory);
        }
    }

    public IEnumerable<string> Kinds => _factories.Keys.Order(StringComparer.Ordinal);

    public bool TryGet(string kind, [NotNullWhen(true)] out IProviderFactory? factory) => _factories.TryGetValue(kind, out factory);

    public static ProviderFactoryRegistry CreateDefault() => new(
    [
        new Mock.MockProviderFactory(),
        new Anthropic.AnthropicProviderFactory(),
        new OpenAi.OpenAiProviderFactory(),
        new Ollama.OllamaProviderFactory(),
    ]);
}
