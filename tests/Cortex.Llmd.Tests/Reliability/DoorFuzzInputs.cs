using System.Text;
using System.Text.Json.Nodes;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Request bodies for the OpenAI-compatible door: valid chat completions as seeds, then the seeds
/// mutated byte by byte, with one field replaced by a value of another JSON type (or a removed field),
/// and pushed to extremes (huge strings, deep nesting, invalid UTF-8, repeated keys, numbers no field
/// can hold). Every body names only routes that answer at once, so the fuzz never waits on a slow one.
/// </summary>
internal sealed class DoorFuzzInputs(Random random)
{
    /// <summary>Every field the door reads, in the shapes the official SDKs send.</summary>
    public static readonly string[] Seeds =
    [
        """{"model":"cortex/default","messages":[{"role":"user","content":"fuzz"}],"max_tokens":16}""",
        """{"model":"cortex/auto","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"stream":true,"stream_options":{"include_usage":true}}""",
        """{"model":"mock/mock-1","messages":[{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"r"}],"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"x":{"type":"string"}}},"strict":true}}],"tool_choice":{"type":"function","function":{"name":"f"}}}""",
        """{"model":"cortex/default","messages":[{"role":"developer","content":"d"},{"role":"user","content":"u","name":"n"},{"role":"assistant","content":[{"type":"refusal","refusal":"no"}]}],"temperature":0.5,"max_tokens":4,"max_completion_tokens":8,"n":1,"user":"u1","response_format":{"type":"json_schema","json_schema":{"name":"x","description":"d","schema":{"type":"object"},"strict":false}}}""",
        """{"model":"cortex/broken","messages":[{"role":"user","content":"b"}],"stream":true,"tool_choice":"auto","top_p":1,"stop":["x"],"seed":1}""",
        """{"model":"cortex/fallback","messages":[{"role":"user","content":"f"}],"response_format":{"type":"json_object"},"tool_choice":"none","stream":false}""",
    ];

    private const string Marker = "@@fuzzed-value@@";

    private static readonly string[] PlainValues =
    [
        "null", "true", "false", "0", "-1", "1", "1.5", "-0", "0.0", "1E2", "1e400", "-1e400", "1e-400", "4294967296",
        "18446744073709551616", "-9223372036854775809", "9007199254740993", "123456789012345678901234567890123456789",
        "\"\"", "\"x\"", "\"cortex/default\"", "\"mock/\"", "\"/x\"", "\"cortex/task/\"", "\"cortex/task/user_chat\"", "\"user\"", "\"function\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud800\\ud800\"", "\"\\u001b[31m\"", "\"a\\nb\\r\\n\"", "\"\\\"\"",
        "[]", "[null]", "[1,\"a\",{}]", "{}", "{\"type\":\"text\"}", "{\"type\":\"function\"}", "{\"a\":[{}]}",
        // Not JSON at all: each must be a 400 that says where.
        "NaN", "Infinity", "undefined", "'x'", "[1,]", "{\"a\":1,}", "/*c*/1", "01", "+1", ".5", "1.", "tru", "\"open",
    ];

    /// <summary>Bytes that are no UTF-8: a stray continuation byte, an overlong '/', a UTF-16 surrogate, past U+10FFFF, cut short.</summary>
    private static readonly byte[][] BadUtf8 = [[0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xfe, 0xfe, 0xff]];

    private static readonly string[] KnownFields =
    [
        "model", "messages", "role", "content", "type", "text", "tools", "function", "name", "tool_choice", "stream", "stream_options",
        "include_usage", "max_tokens", "temperature", "n", "user", "response_format", "json_schema", "schema", "tool_call_id", "tool_calls",
    ];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public string Seed() => Seeds[random.Next(Seeds.Length)];

    /// <summary>The seeds flipped, cut, padded, repeated and broken by the gRPC fuzz's own byte mutations.</summary>
    public IEnumerable<byte[]> ByteMutations(int count) =>
        Seeds.SelectMany(seed => ProtocolFuzzTests.Bodies(Utf8(seed), count / Seeds.Length, random));

    /// <summary>A seed with one field, at any depth, replaced by a value of another kind, or removed.</summary>
    public IEnumerable<byte[]> WrongTypes(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return Replaced(Seed(), i % 8 == 0 ? null : Value());
        }
    }

    /// <summary>Each extreme in turn: a huge string, deep nesting, invalid UTF-8, a repeated key, a huge array.</summary>
    public IEnumerable<byte[]> Extremes(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return (i % 6) switch
            {
                0 => Replaced(Seed(), Utf8("\"" + new string((char)random.Next('a', 'z' + 1), Size()) + "\"")),
                1 => Replaced(Seed(), Nested()),
                2 => Replaced(Seed(), [(byte)'"', .. Utf8("ok"), .. BadUtf8[random.Next(BadUtf8.Length)], (byte)'"']),
                3 => RepeatedKey(Seed()),
                4 => BadKeyName(Seed()),
                _ => Replaced(Seed(), Utf8("[" + string.Join(',', Enumerable.Repeat(random.Next(2) == 0 ? "{\"role\":\"user\",\"content\":\"m\"}" : "1", random.Next(4000, 4200))) + "]")),
            };
        }
    }

    /// <summary>One of the plain values, most of the time; otherwise a big string or a nesting.</summary>
    private byte[] Value() => random.Next(20) switch
    {
        0 => Utf8("\"" + new string('x', Size()) + "\""),
        1 => Nested(),
        2 => [(byte)'"', .. BadUtf8[random.Next(BadUtf8.Length)], (byte)'"'],
        _ => Utf8(PlainValues[random.Next(PlainValues.Length)]),
    };

    /// <summary>Mostly small, now and then up to about 1 MB: sizes spread over six orders of magnitude.</summary>
    private int Size() => (int)Math.Pow(10, random.NextDouble() * 6);

    /// <summary>Arrays or objects nested around the maximum depth (64) and far beyond it.</summary>
    private byte[] Nested()
    {
        int[] depths = [62, 63, 64, 65, 500, 100_000];
        int depth = depths[random.Next(depths.Length)];
        return random.Next(2) == 0
            ? Utf8(new string('[', depth) + new string(']', depth))
            : Utf8(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
    }

    /// <summary>The seed with one node (any depth) replaced by <paramref name="value"/>'s raw bytes, or removed when it is null.</summary>
    private byte[] Replaced(string seed, byte[]? value)
    {
        JsonNode root = JsonNode.Parse(seed)!;
        List<(JsonNode Parent, string? Name, int Index)> slots = [];
        Collect(root, slots);
        (JsonNode parent, string? name, int index) = slots[random.Next(slots.Count)];
        if (value is null)
        {
            if (name is not null)
            {
                parent.AsObject().Remove(name);
            }
            else
            {
                parent.AsArray().RemoveAt(index);
            }

            return Utf8(root.ToJsonString());
        }

        if (name is not null)
        {
            parent[name] = Marker;
        }
        else
        {
            parent[index] = Marker;
        }

        string[] halves = root.ToJsonString().Split("\"" + Marker + "\"");
        return [.. Utf8(halves[0]), .. value, .. Utf8(halves[1])];
    }

    private static void Collect(JsonNode node, List<(JsonNode, string?, int)> slots)
    {
        if (node is JsonObject obj)
        {
            foreach ((string name, JsonNode? child) in obj.ToList())
            {
                slots.Add((node, name, -1));
                if (child is not null)
                {
                    Collect(child, slots);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                slots.Add((node, null, i));
                if (array[i] is { } child)
                {
                    Collect(child, slots);
                }
            }
        }
    }

    /// <summary>A key the seed has, sent twice in the same object: once with another value, once as it was.</summary>
    private byte[] RepeatedKey(string seed)
    {
        string[] present = [.. KnownFields.Where(f => seed.Contains("\"" + f + "\":", StringComparison.Ordinal))];
        string key = "\"" + present[random.Next(present.Length)] + "\":";
        int at = seed.IndexOf(key, StringComparison.Ordinal);
        return [.. Utf8(seed[..at] + key), .. Value(), (byte)',', .. Utf8(seed[at..])];
    }

    /// <summary>A property name with invalid UTF-8 in place of one of its letters.</summary>
    private byte[] BadKeyName(string seed)
    {
        string[] present = [.. KnownFields.Where(f => seed.Contains("\"" + f + "\":", StringComparison.Ordinal))];
        string field = present[random.Next(present.Length)];
        int at = seed.IndexOf("\"" + field + "\":", StringComparison.Ordinal) + 1 + random.Next(field.Length);
        return [.. Utf8(seed[..at]), .. BadUtf8[random.Next(BadUtf8.Length)], .. Utf8(seed[(at + 1)..])];
    }
}

/// <summary>What goes around a body: methods, paths, content types and x-cortex-* headers, valid and not.</summary>
internal sealed class DoorFuzzEnvelope(Random random)
{
    public static readonly string[] Methods = ["POST", "POST", "POST", "GET", "GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "post", "Get"];

    public static readonly string[] Paths =
    [
        "/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions/", "/v1/models", "/v1/models/", "/V1/Chat/Completions",
        "/v1/chat/completions//", "/v1/models/cortex%2Fdefault", "/", "/v1", "/v2/chat/completions", "/v1/completions", "/v1/embeddings",
        "/cortex.llm.v1.Router/Complete", "/grpc.health.v1.Health/Check", "/v1/chat/completions?stream=true&x=%ff", "/%2e%2e/%2e%2e/etc/passwd",
        "/v1/%ff%fe%00", "/v1/chat%2Fcompletions", "/v1/chat/completions;x=1", "/v1/%C3%A9%E2%82%AC",
    ];

    public static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json; charset=utf-8", null, "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/grpc", "application/json; charset=utf-16", "garbage;;;=", "*/*",
    ];

    private static readonly string[] Names =
    [
        "x-cortex-tenant", "x-cortex-task", "x-cortex-request-id", "x-cortex-timeout-ms", "x-cortex-label-env", "x-cortex-label-user",
        "X-Cortex-Tenant", "x-cortex-provider", "x-cortex-attempts", "x-cortex-", "x-cortex-label-", "x-cortex-label-UPPER", "x-cortex-label-a/b",
    ];

    private static readonly string[] Values =
    [
        "", "0", "1", "-1", "1.5", "00010", "600000", "600001", "99999999999999999999", " 5", "0x10", "shell", "a@b:c.d-e_f", "error_debugging",
        "TASK_TYPE_USER_CHAT", "errorDebugging", "nope", "req-1", "req 1", "\\u0000", "<script>", "%00", "Bearer sk-x",
    ];

    public string Method() => Methods[random.Next(Methods.Length)];

    /// <summary>A known or odd path, now and then a random one of up to about 2,000 characters.</summary>
    public string Path() => random.Next(8) == 0
        ? "/" + string.Concat(Enumerable.Range(0, (int)Math.Pow(10, random.NextDouble() * 3.3)).Select(_ => "abz019-._~%/"[random.Next(12)]))
        : Paths[random.Next(Paths.Length)];

    public string? ContentType() => ContentTypes[random.Next(ContentTypes.Length)];

    /// <summary>One to five headers (a name may come twice), or seventeen labels: one more than the door accepts.</summary>
    public List<(string Name, string Value)> Headers()
    {
        if (random.Next(25) == 0)
        {
            return [.. Enumerable.Range(0, 17).Select(i => ($"x-cortex-label-l{i}", "v"))];
        }

        var headers = new List<(string, string)>();
        for (int n = random.Next(1, 6); n > 0; n--)
        {
            string name = random.Next(6) == 0 ? "x-cortex-label-" + Token(random.Next(1, 80)) : Names[random.Next(Names.Length)];
            string value = random.Next(5) switch
            {
                0 => Token(random.Next(0, 300)),
                1 => Printable(random.Next(0, 300)),
                2 when random.Next(4) == 0 => new string('v', random.Next(4000, 8000)),
                _ => Values[random.Next(Values.Length)],
            };
            headers.Add((name, value));
        }

        return headers;
    }

    private string Token(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => "abcxyzABCXYZ0189-_.:@"[random.Next(21)]));

    private string Printable(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => (char)random.Next(' ', '~' + 1)));
}
