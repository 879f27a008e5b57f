using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Providers;

/// <summary>
/// What a model can do. Routing skips a target that cannot serve a request (and says why) instead of
/// sending it something that is bound to fail.
/// </summary>
public sealed record ModelCapabilities(long ContextWindow, bool Tools, bool JsonSchema, bool Streaming)
{
    public static readonly ModelCapabilities Default = new(128_000, Tools: true, JsonSchema: true, Streaming: true);

    public static readonly string[] ConfigKeys = ["contextWindow", "tools", "jsonSchema", "streaming"];

    public static ModelCapabilities Parse(ConfigNode node, ModelCapabilities fallback, bool checkKeys = true)
    {
        if (checkKeys)
        {
            node.AllowOnly(ConfigKeys);
        }

        return new ModelCapabilities(
            node.Number("contextWindow", fallback.ContextWindow, 256, 100_000_000),
            node.Flag("tools", fallback.Tools),
            node.Flag("jsonSchema", fallback.JsonSchema),
            node.Flag("streaming", fallback.Streaming));
    }
}
