using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>The assertion and applicator keywords, and the checked readers of keyword values.</summary>
internal sealed partial class SchemaObjectCompiler
{
    private bool TryAssertion(string keyword, JsonElement value)
    {
        switch (keyword)
        {
            case "type":
                return Add(TypeKeyword.Create(value, location));
            case "enum":
                return value.ValueKind == JsonValueKind.Array
                    ? Add(new EnumKeyword(value))
                    : throw SchemaException.Invalid(keyword, location, "an array", JsonValueText.Describe(value));
            case "const":
                return Add(new ConstKeyword(value));
            case "multipleOf":
                JsonNumber divisor = ReadNumber(keyword, value);
                return !divisor.IsNegative && !divisor.IsZero
                    ? Add(new MultipleOfKeyword(divisor, value.GetRawText()))
                    : throw SchemaException.Invalid(keyword, location, "a number greater than 0", value.GetRawText());
            case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum":
                return Add(new NumberBoundKeyword(keyword, ReadNumber(keyword, value), value.GetRawText()));
            case "minLength" or "maxLength" or "minItems" or "maxItems" or "minProperties" or "maxProperties":
                return Add(new SizeKeyword(keyword, ReadCount(keyword, value)));
            case "pattern":
                string pattern = ReadString(keyword, value);
                return Add(new PatternKeyword(pattern, compiler.Regex(keyword, pattern, location)));
            case "uniqueItems":
                return ReadBoolean(keyword, value) ? Add(new UniqueItemsKeyword()) : true;
            case "required":
                return Add(new RequiredKeyword(ReadNames(keyword, value)));
            case "dependentRequired":
                var dependencies = ReadObject(keyword, value)
                    .Select(member => KeyValuePair.Create(member.Name, ReadNames(keyword, member.Value, member.Name)))
                    .ToList();
                return Add(new DependentRequiredKeyword(dependencies));
            case "minContains":
                _minContains = ReadCount(keyword, value);
                return Group("contains");
            case "maxContains":
                _maxContains = ReadCount(keyword, value);
                return Group("contains");
            default:
                return false;
        }
    }

    private bool TryApplicator(string keyword, JsonElement value)
    {
        switch (keyword)
        {
            case "$ref":
                return Add(compiler.Reference(ReadString(keyword, value), location));
            case "allOf":
                return Add(new AllOfKeyword(SchemaArray(keyword, value)));
            case "anyOf":
                return Add(new AnyOfKeyword(SchemaArray(keyword, value)));
            case "oneOf":
                return Add(new OneOfKeyword(SchemaArray(keyword, value)));
            case "not":
                return Add(new NotKeyword(Subschema(keyword, value)));
            case "if" or "then" or "else":
                SchemaNode branch = Subschema(keyword, value);
                (_if, _then, _else) = keyword switch
                {
                    "if" => (branch, _then, _else),
                    "then" => (_if, branch, _else),
                    _ => (_if, _then, branch),
                };
                return Group("if");
            case "properties" or "patternProperties" or "additionalProperties":
                ReadPropertiesGroup(keyword, value);
                return Group("properties");
            case "propertyNames":
                return Add(new PropertyNamesKeyword(Subschema(keyword, value)));
            case "dependentSchemas":
                return Add(new DependentSchemasKeyword([.. SchemaMap(keyword, value)]));
            case "prefixItems":
                _prefixItems = SchemaArray(keyword, value);
                return Group("items");
            case "items":
                _items = value.ValueKind == JsonValueKind.Array
                    ? throw SchemaException.Invalid(keyword, location, "a schema (an array of schemas is 'prefixItems' in draft 2020-12)", "an array")
                    : Subschema(keyword, value);
                return Group("items");
            case "contains":
                _contains = Subschema(keyword, value);
                return Group("contains");
            default:
                return false;
        }
    }

    private void ReadPropertiesGroup(string keyword, JsonElement value)
    {
        if (keyword == "additionalProperties")
        {
            _additional = Subschema(keyword, value);
        }
        else if (keyword == "properties")
        {
            foreach ((string name, SchemaNode schema) in SchemaMap(keyword, value))
            {
                _properties[name] = schema;
            }
        }
        else
        {
            foreach ((string pattern, SchemaNode schema) in SchemaMap(keyword, value))
            {
                _patterns.Add(new PatternSchema(pattern, compiler.Regex(keyword, pattern, location), schema));
            }
        }
    }

    private SchemaNode Subschema(string keyword, JsonElement value) =>
        compiler.Compile(value, JsonPointer.Append(location, keyword));

    private SchemaNode[] SchemaArray(string keyword, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw SchemaException.Invalid(keyword, location, "a non-empty array of schemas", JsonValueText.Describe(value));
        }

        string at = JsonPointer.Append(location, keyword);
        return [.. value.EnumerateArray().Select((item, index) => compiler.Compile(item, JsonPointer.Append(at, index)))];
    }

    private List<KeyValuePair<string, SchemaNode>> SchemaMap(string keyword, JsonElement value)
    {
        string at = JsonPointer.Append(location, keyword);
        return [.. ReadObject(keyword, value).Select(member => KeyValuePair.Create(member.Name, compiler.Compile(member.Value, JsonPointer.Append(at, member.Name))))];
    }

    private List<(string Name, JsonElement Value)> ReadObject(string keyword, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw SchemaException.Invalid(keyword, location, "an object", JsonValueText.Describe(value));
        }

        var members = new List<(string Name, JsonElement Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty member in value.EnumerateObject())
        {
            string name = JsonStrings.Name(member);
            members.Add(seen.Add(name) ? (name, member.Value) : throw new SchemaException(
                $"duplicate member {JsonStrings.Quote(name)} in '{keyword}' at {location}", keyword, location));
        }

        return members;
    }

    private string[] ReadNames(string keyword, JsonElement value, string? member = null)
    {
        string[]? names = value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(JsonStrings.Get)]
            : null;
        if (names is null || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            string what = member is null ? "an array of distinct strings" : $"an array of distinct strings for {JsonStrings.Quote(member)}";
            throw SchemaException.Invalid(keyword, location, what, JsonValueText.Describe(value));
        }

        return names;
    }

    private JsonNumber ReadNumber(string keyword, JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? JsonNumber.From(value)
        : throw SchemaException.Invalid(keyword, location, "a number", JsonValueText.Describe(value));

    /// <summary>A non-negative integer (2.0 counts); values beyond a long can never be reached, so they clamp.</summary>
    private long ReadCount(string keyword, JsonElement value)
    {
        JsonNumber number = value.ValueKind == JsonValueKind.Number ? JsonNumber.From(value) : default;
        if (value.ValueKind != JsonValueKind.Number || !number.IsIntegral || number.IsNegative)
        {
            throw SchemaException.Invalid(keyword, location, "a non-negative integer", JsonValueText.Describe(value));
        }

        return number.TryGetDecimal(out decimal count) && count <= long.MaxValue ? (long)count : long.MaxValue;
    }

    private string ReadString(string keyword, JsonElement value) => value.ValueKind == JsonValueKind.String
        ? JsonStrings.Get(value)
        : throw SchemaException.Invalid(keyword, location, "a string", JsonValueText.Describe(value));

    private bool ReadBoolean(string keyword, JsonElement value) => value.ValueKind is JsonValueKind.True or JsonValueKind.False
        ? value.GetBoolean()
        : throw SchemaException.Invalid(keyword, location, "a boolean", JsonValueText.Describe(value));
}
