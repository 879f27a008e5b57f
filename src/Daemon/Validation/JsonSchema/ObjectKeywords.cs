using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>'required': every listed member must be present.</summary>
internal sealed class RequiredKeyword(string[] names) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        instance.ValueKind != JsonValueKind.Object || ObjectChecks.RequireAll(instance, names, "required", null, context);
}

/// <summary>'dependentRequired': when a member is present, other members must be too.</summary>
internal sealed class DependentRequiredKeyword(IReadOnlyList<KeyValuePair<string, string[]>> dependencies) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        bool valid = true;
        foreach ((string trigger, string[] names) in dependencies)
        {
            if (ObjectChecks.Has(instance, trigger))
            {
                valid &= ObjectChecks.RequireAll(instance, names, "dependentRequired", trigger, context);
                if (!valid && context.StopEarly)
                {
                    return false;
                }
            }
        }

        return valid;
    }
}

/// <summary>'dependentSchemas': when a member is present, the whole object must also match a schema.</summary>
internal sealed class DependentSchemasKeyword(IReadOnlyList<KeyValuePair<string, SchemaNode>> dependencies) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        bool valid = true;
        foreach ((string trigger, SchemaNode schema) in dependencies)
        {
            if (ObjectChecks.Has(instance, trigger))
            {
                valid &= schema.Evaluate(instance, context);
                if (!valid && context.StopEarly)
                {
                    return false;
                }
            }
        }

        return valid;
    }
}

/// <summary>'propertyNames': every member name, as a string, must match a schema.</summary>
internal sealed class PropertyNamesKeyword(SchemaNode schema) : IKeyword
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
            using JsonDocument nameDocument = JsonDocument.Parse(JsonStrings.Quote(name, int.MaxValue));
            if (!context.Probe(schema, nameDocument.RootElement))
            {
                valid = context.Fail("propertyNames", $"property name {JsonStrings.Quote(name)} does not match the propertyNames schema");
                if (context.StopEarly)
                {
                    return false;
                }
            }
        }

        return valid;
    }
}

internal static class ObjectChecks
{
    public static bool Has(JsonElement instance, string name)
    {
        try
        {
            return instance.TryGetProperty(name, out _);
        }
        catch (ArgumentException)
        {
            // A name holding a lone surrogate cannot be transcoded for the fast lookup; compare decoded names.
            return instance.EnumerateObject().Any(member => string.Equals(JsonStrings.Name(member), name, StringComparison.Ordinal));
        }
    }

    public static bool RequireAll(JsonElement instance, string[] names, string keyword, string? trigger, EvaluationContext context)
    {
        bool valid = true;
        foreach (string name in names)
        {
            if (!Has(instance, name))
            {
                string because = trigger is null ? string.Empty : $" when {JsonStrings.Quote(trigger)} is present";
                valid = context.Fail(keyword, $"missing required property {JsonStrings.Quote(name)}{because}");
                if (context.StopEarly)
                {
                    return false;
                }
            }
        }

        return valid;
    }
}
