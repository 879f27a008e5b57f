using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>The "openai" kind: any OpenAI-compatible Chat Completions server.</summary>
public sealed class OpenAiProviderFactory : IProviderFactory
{
    public const string KindName = "openai";

    public static readonly ModelCapabilities Capabilities = new(128_000, Tools: true, JsonSchema: true, Streaming: true);

    public string Kind => KindName;

    public ModelCapabilities DefaultCapabilities => Capabilities;

    public IProviderSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys) =>
        OpenAiSettings.Parse(node, commonKeys, OpenAiDefaults.OpenAi);

    public IProvider Create(ProviderOptions options, ProviderContext context) => CreateProvider(options, context, KindName);

    /// <summary>One HttpClient per provider instance, pooled for its lifetime.</summary>
    internal static OpenAiProvider CreateProvider(ProviderOptions options, ProviderContext context, string kind)
    {
        var settings = (OpenAiSettings)options.Settings;
        HttpClient http = ProviderHttp.CreateClient(settings.BaseUrl, settings.ConnectTimeout);
        return new OpenAiProvider(options.Name, kind, settings, http, context);
    }
}
