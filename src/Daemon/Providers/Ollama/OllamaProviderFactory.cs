using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers.OpenAi;

namespace Cortex.Llmd.Providers.Ollama;

/// <summary>
/// The "ollama" kind: the OpenAI adapter pointed at Ollama's OpenAI-compatible /v1 endpoint, with
/// local defaults (no key, json_object structured output, small context). One wire mapping serves
/// both kinds; docs/providers/ollama.md says why /v1 was chosen over the native /api/chat.
/// </summary>
public sealed class OllamaProviderFactory : IProviderFactory
{
    public const string KindName = "ollama";

    public static readonly OpenAiDefaults Defaults =
        new(new Uri("http://127.0.0.1:11434/v1/"), RequireKey: false, StructuredOutputMode.JsonObject);

    /// <summary>Ollama's own default context (num_ctx) is small; models configured with more say so in config.</summary>
    public static readonly ModelCapabilities Capabilities = new(8192, Tools: true, JsonSchema: true, Streaming: true);

    public string Kind => KindName;

    public ModelCapabilities DefaultCapabilities => Capabilities;

    public IProviderSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys) =>
        OpenAiSettings.Parse(node, commonKeys, Defaults);

    public IProvider Create(ProviderOptions options, ProviderContext context) =>
        OpenAiProviderFactory.CreateProvider(options, context, KindName);

    /// <summary>
    /// The server root of a /v1 base URL (http://host:11434/v1/ gives http://host:11434/), where the
    /// native API lives: the place for a future GET /api/tags health probe.
    /// </summary>
    public static Uri NativeRoot(Uri baseUrl)
    {
        string path = baseUrl.AbsolutePath.TrimEnd('/');
        string root = path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return new Uri(baseUrl, root + "/");
    }
}
