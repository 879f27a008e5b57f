using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Providers.Mock;

public sealed class MockProviderFactory : IProviderFactory
{
    public const string KindName = "mock";

    public string Kind => KindName;

    public ModelCapabilities DefaultCapabilities => ModelCapabilities.Default;

    public IProviderSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys) => MockSettings.Parse(node, commonKeys);

    public IProvider Create(ProviderOptions options, ProviderContext context) =>
        new MockProvider(options.Name, (MockSettings)options.Settings, context.TimeProvider);
}
