using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>'type': one name or a list of names; "integer" accepts any number with no fractional part (1.0).</summary>
internal sealed class TypeKeyword : IKeyword
{
    private static readonly string[] Names = ["null", "boolean", "object", "array", "number", "string", "integer"];

    private readonly bool[] _allowed = new bool[Names.Length];
    private readonly string _expected;

    private TypeKeyword(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            _allowed[Array.IndexOf(Names, name)] = true;
        }

        _expected = string.Join(" or ", names);
    }

    /// <summary>Reads the keyword's value: a type name, or a non-empty array of distinct type names.</summary>
    public static TypeKeyword Create(JsonElement value, string location)
    {
        const string expected = "a type name or an array of distinct type names (null, boolean, object, array, number, string, integer)";
        var names = new List<string>();
        IEnumerable<JsonElement> items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [value];
        foreach (JsonElement item in items)
        {
            string? name = item.ValueKind == JsonValueKind.String ? JsonStrings.Get(item) : null;
            if (name is null || !Names.Contains(name) || names.Contains(name))
            {
                throw SchemaException.Invalid("type", location, expected, JsonValueText.Describe(value));
            }

            names.Add(name);
        }

        return names.Count > 0 ? new TypeKeyword(names) : throw SchemaException.Invalid("type", location, expected, "[]");
    }

    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        bool valid = instance.ValueKind switch
        {
            JsonValueKind.Null => _allowed[0],
            JsonValueKind.True or JsonValueKind.False => _allowed[1],
            JsonValueKind.Object => _allowed[2],
            JsonValueKind.Array => _allowed[3],
            JsonValueKind.Number => _allowed[4] || (_allowed[6] && JsonNumber.From(instance).IsIntegral),
            _ => _allowed[5],
        };
        return valid || context.Fail("type", $"expected {_expected}, got {JsonValueText.DescribeWithType(instance)}");
    }
}
