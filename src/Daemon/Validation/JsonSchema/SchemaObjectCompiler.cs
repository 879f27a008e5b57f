using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// Compiles one schema object: checks every keyword and its value, then builds the keyword list.
/// Keywords that only work together (properties with additionalProperties, prefixItems with items,
/// contains with its bounds, if with then/else) are gathered and built as one, at the place the first
/// of them appeared, so errors come out in the schema's order.
/// </summary>
internal sealed partial class SchemaObjectCompiler(SchemaCompiler compiler, string location)
{
    private const string DraftUri = "https://json-schema.org/draft/2020-12/schema";

    private readonly List<(IKeyword? Keyword, string? Group)> _keywords = [];
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaNode> _properties = new(StringComparer.Ordinal);
    private readonly List<PatternSchema> _patterns = [];
    private SchemaNode? _additional;
    private SchemaNode[] _prefixItems = [];
    private SchemaNode? _items;
    private SchemaNode? _contains;
    private long _minContains = 1;
    private long? _maxContains;
    private SchemaNode? _if;
    private SchemaNode? _then;
    private SchemaNode? _else;

    public SchemaNode Compile(JsonElement schema)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty member in schema.EnumerateObject())
        {
            string keyword = JsonStrings.Name(member);
            if (!seen.Add(keyword))
            {
                throw new SchemaException($"duplicate keyword '{keyword}' at {location}", keyword, location);
            }

            bool known = TryAnnotation(keyword, member.Value) || TryAssertion(keyword, member.Value) || TryApplicator(keyword, member.Value);
            if (!known)
            {
                throw SchemaException.Unsupported(keyword, location, UnsupportedReason(keyword));
            }
        }

        IKeyword[] keywords = [.. _keywords.Select(entry => entry.Keyword ?? BuildGroup(entry.Group!)).OfType<IKeyword>()];
        return keywords.Length == 0 ? BooleanSchema.True : new KeywordSchema(keywords);
    }

    private IKeyword? BuildGroup(string group) =>
        group switch
        {
            "properties" => _properties.Count > 0 || _patterns.Count > 0 || _additional is not null
                ? new PropertiesKeyword(_properties, _patterns, _additional) : null,
            "items" => _prefixItems.Length > 0 || _items is not null ? new ItemsKeyword(_prefixItems, _items) : null,
            "contains" => _contains is null ? null : new ContainsKeyword(_contains, _minContains, _maxContains),
            _ => _if is null || (_then is null && _else is null) ? null : new IfThenElseKeyword(_if, _then, _else),
        };

    /// <summary>Reserves the place of a keyword group the first time one of its members appears.</summary>
    private bool Group(string group)
    {
        if (_groups.Add(group))
        {
            _keywords.Add((null, group));
        }

        return true;
    }

    private bool Add(IKeyword keyword)
    {
        _keywords.Add((keyword, null));
        return true;
    }

    private static string? UnsupportedReason(string keyword) => keyword switch
    {
        "$id" => "$id is only allowed at the root of the schema",
        "$anchor" or "$dynamicRef" or "$dynamicAnchor" => "use $ref with a JSON pointer such as \"#/$defs/name\"",
        "dependencies" => "use dependentRequired or dependentSchemas (draft 2020-12)",
        "additionalItems" => "use items together with prefixItems (draft 2020-12)",
        "$recursiveRef" or "$recursiveAnchor" => "draft 2019-09 keywords are not part of draft 2020-12",
        _ => null,
    };

    private bool TryAnnotation(string keyword, JsonElement value)
    {
        switch (keyword)
        {
            case "$schema":
                string uri = ReadString(keyword, value);
                return uri is DraftUri or DraftUri + "#"
                    ? true
                    : throw new SchemaException($"unsupported $schema {JsonStrings.Quote(uri)} at {location}: only {DraftUri} is supported", keyword, location);
            case "$id" when location == "#":
                return ReadString(keyword, value).Split('#') is [_] or [_, ""]
                    ? true
                    : throw SchemaException.Invalid(keyword, location, "a URI without a fragment", JsonValueText.Describe(value));
            case "$comment" or "title" or "description" or "format" or "contentMediaType" or "contentEncoding":
                ReadString(keyword, value);
                return true;
            case "deprecated" or "readOnly" or "writeOnly":
                ReadBoolean(keyword, value);
                return true;
            case "default":
                return true;
            case "examples":
                return value.ValueKind == JsonValueKind.Array
                    ? true
                    : throw SchemaException.Invalid(keyword, location, "an array", JsonValueText.Describe(value));
            case "contentSchema":
                // Annotation only, but compiled so that a mistake in it is still reported.
                Subschema(keyword, value);
                return true;
            case "$defs" or "definitions":
                SchemaMap(keyword, value);
                return true;
            default:
                return false;
        }
    }
}
