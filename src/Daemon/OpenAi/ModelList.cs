using System.Buffers;
using System.Text.Json;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// The body of <c>GET /v1/models</c> in OpenAI's list shape. <c>created</c> is one time for every id (the
/// configuration's load time is a good one): the ids are this daemon's, not dated model releases.
/// <c>owned_by</c> is "cortex-llmd" for our own ids and the provider's configured name for a concrete target.
/// </summary>
public static class ModelList
{
    public const string OwnedByDaemon = "cortex-llmd";

    public static void Write(IBufferWriter<byte> output, ModelCatalog catalog, long createdUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        using Utf8JsonWriter json = OpenAiJson.Writer(output);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        foreach (string id in catalog.Ids)
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("object", "model");
            json.WriteNumber("created", createdUnixSeconds);
            json.WriteString("owned_by", OwnerOf(id));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string OwnerOf(string id) =>
        id.StartsWith(ModelName.Prefix, StringComparison.OrdinalIgnoreCase) ? OwnedByDaemon : id[..id.IndexOf('/', StringComparison.Ordinal)];
}
