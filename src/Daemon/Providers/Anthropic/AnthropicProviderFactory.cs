using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>The "anthropic" provider kind: the Anthropic Messages API over HTTPS.</summary>
public sealed class AnthropicProviderFactory : IProviderFactory
{
    public const string KindName = "anthropic";

    public string Kind => KindName;

    /// <summary>Claude models have 200k-token windows; JSON schemas are asked for in the prompt and validated by the router.</summary>
    public ModelCapabilities DefaultCapabilities { get; } = new(200_000, Tools: true, JsonSchema: true, Streaming: true);

    public IProviderSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys) => AnthropicSettings.Parse(node, commonKeys);

    public IProvider Create(ProviderOptions options, ProviderContext context)
    {
        var settings = (AnthropicSettings)options.Settings;
        ApiKey? key = settings.ApiKey.Resolve(context.Environment, out string? problem);
        HttpClient http = ProviderHttp.CreateClient(BaseAddress(settings.BaseUrl), settings.ConnectTimeout);
        return new AnthropicProvider(options.Name, settings, key, problem, http, context.TimeProvider);
    }

    /// <summary>A base URL with a path (a proxy's prefix) must end in '/' so "v1/messages" resolves under it.</summary>
    internal static Uri BaseAddress(Uri baseUrl) =>
        baseUrl.AbsolutePath.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
