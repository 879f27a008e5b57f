using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>A patternProperties entry, with its source text for messages.</summary>
internal sealed record PatternSchema(string Pattern, Regex Regex, SchemaNode Schema);

/// <summary>
/// properties, patternProperties and additionalProperties together, because additionalProperties applies
/// exactly to the members its two siblings in the same schema object did not claim.
/// </summary>
internal sealed class PropertiesKeyword(
    IReadOnlyDictionary<string, SchemaNode> properties,
    IReadOnlyList<PatternSchema> patterns,
    SchemaNode? additional) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        bool valid = true;
        foreach (JsonProperty member in instance.EnumerateObject())
        {
            string name = JsonStrings.Name(member);
            valid &= EvaluateMember(name, member.Value, context);
            if (!valid && context.StopEarly)
            {
                return false;
            }
        }

        return valid;
    }

    private bool EvaluateMember(string name, JsonElement value, EvaluationContext context)
    {
        bool claimed = false, valid = true;
        if (properties.TryGetValue(name, out SchemaNode? schema))
        {
            claimed = true;
            valid = Apply("properties", schema, name, value, context);
        }

        foreach (PatternSchema pattern in patterns)
        {
            if ((valid || !context.StopEarly) && PatternKeyword.IsMatch(pattern.Regex, pattern.Pattern, name, "patternProperties", context))
            {
                claimed = true;
                valid &= Apply("patternProperties", pattern.Schema, name, value, context);
            }
        }

        if (!claimed && additional is not null && (valid || !context.StopEarly))
        {
            valid &= Apply("additionalProperties", additional, name, value, context);
        }

        return valid;
    }

    private static bool Apply(string keyword, SchemaNode schema, string name, JsonElement value, EvaluationContext context)
    {
        context.PushProperty(name);
        // A false subschema gets a message that names the member, not the generic "schema is false".
        bool valid = schema == BooleanSchema.False
            ? context.Fail(keyword, $"property {JsonStrings.Quote(name)} is not allowed")
            : schema.Evaluate(value, context);
        context.Pop();
        return valid;
    }
}
