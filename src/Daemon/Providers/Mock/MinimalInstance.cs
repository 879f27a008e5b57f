using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cortex.Llmd.Providers.Mock;

/// <summary>
/// The smallest JSON value a response schema accepts, so that `--schema` works offline. It covers what
/// callers write in practice (types, required properties, enum/const, minimums, local $refs); a schema
/// it cannot satisfy simply yields an answer the daemon's validator rejects, exactly as a real model's would.
/// </summary>
internal static class MinimalInstance
{
    private const int MaxDepth = 16;

    public static string For(string schemaJson)
    {
        JsonNode? schema;
        try
        {
            schema = JsonNode.Parse(schemaJson);
        }
        catch (JsonException)
        {
            return "{}";
        }

        JsonNode? instance = Build(schema, schema, 0);
        return instance?.ToJsonString() ?? "null";
    }

    private static JsonNode? Build(JsonNode? schema, JsonNode? root, int depth)
    {
        if (schema is not JsonObject s || depth > MaxDepth)
        {
            return schema is JsonValue v && v.TryGetValue(out bool allowed) && !allowed ? null : new JsonObject();
        }

        if (s["const"] is { } constant)
        {
            return constant.DeepClone();
        }

        if (s["enum"] is JsonArray { Count: > 0 } choices)
        {
            return choices[0]?.DeepClone();
        }

        if (s["$ref"]?.GetValue<string>() is { } reference && Resolve(reference, root) is { } target)
        {
            return Build(target, root, depth + 1);
        }

        foreach (string combinator in (string[])["allOf", "anyOf", "oneOf"])
        {
            if (s[combinator] is JsonArray { Count: > 0 } options && !s.ContainsKey("type"))
            {
                return Build(options[0], root, depth + 1);
            }
        }

        return TypeOf(s) switch
        {
            "object" => BuildObject(s, root, depth),
            "array" => BuildArray(s, root, depth),
            "string" => JsonValue.Create(new string('a', (int)Math.Min(Number(s, "minLength"), 1024))),
            "integer" => JsonValue.Create((long)Math.Ceiling(Math.Max(Number(s, "minimum"), Number(s, "exclusiveMinimum", double.NegativeInfinity) + 1))),
            "number" => JsonValue.Create(Math.Max(Number(s, "minimum"), Number(s, "exclusiveMinimum", double.NegativeInfinity) + 1)),
            "boolean" => JsonValue.Create(false),
            "null" => null,
            _ => new JsonObject(),
        };
    }

    private static JsonObject BuildObject(JsonObject s, JsonNode? root, int depth)
    {
        var result = new JsonObject();
        if (s["required"] is JsonArray required)
        {
            JsonObject? properties = s["properties"] as JsonObject;
            foreach (JsonNode? name in required)
            {
                string key = name?.GetValue<string>() ?? string.Empty;
                result[key] = Build(properties?[key] ?? new JsonObject(), root, depth + 1);
            }
        }

        return result;
    }

    private static JsonArray BuildArray(JsonObject s, JsonNode? root, int depth)
    {
        var result = new JsonArray();
        int count = (int)Math.Min(Number(s, "minItems"), 64);
        for (int i = 0; i < count; i++)
        {
            JsonNode? itemSchema = s["prefixItems"] is JsonArray prefix && i < prefix.Count ? prefix[i] : s["items"];
            result.Add(Build(itemSchema ?? new JsonObject(), root, depth + 1));
        }

        return result;
    }

    private static string? TypeOf(JsonObject s) => s["type"] switch
    {
        JsonValue single when single.TryGetValue(out string? name) => name,
        JsonArray many => many.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
        _ => s.ContainsKey("properties") || s.ContainsKey("required") ? "object" : s.ContainsKey("items") ? "array" : null,
    };

    private static double Number(JsonObject s, string key, double fallback = 0) =>
        s[key] is JsonValue v && v.TryGetValue(out double d) ? d : fallback;

    /// <summary>Local references only ("#/$defs/x"): a mock reaches no network, and a remote schema would not compile anyway.</summary>
    private static JsonNode? Resolve(string reference, JsonNode? root)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }

        JsonNode? node = root;
        foreach (string part in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string key = part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node is JsonObject o ? o[key] : null;
        }

        return node;
    }
}
