using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>'allOf': every subschema applies to the same value, and their errors are reported as they are.</summary>
internal sealed class AllOfKeyword(SchemaNode[] schemas) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        bool valid = true;
        foreach (SchemaNode schema in schemas)
        {
            valid &= schema.Evaluate(instance, context);
            if (!valid && context.StopEarly)
            {
                return false;
            }
        }

        return valid;
    }
}

/// <summary>'anyOf': at least one subschema must match; stops at the first that does.</summary>
internal sealed class AnyOfKeyword(SchemaNode[] schemas) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        foreach (SchemaNode schema in schemas)
        {
            if (context.Probe(schema, instance))
            {
                return true;
            }
        }

        return context.Fail("anyOf", $"value matches none of the {schemas.Length} schemas in anyOf");
    }
}

/// <summary>'oneOf': exactly one subschema must match; stops at the second match.</summary>
internal sealed class OneOfKeyword(SchemaNode[] schemas) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        int first = -1;
        for (int i = 0; i < schemas.Length; i++)
        {
            if (!context.Probe(schemas[i], instance))
            {
                continue;
            }

            if (first >= 0)
            {
                return context.Fail("oneOf", $"value matches more than one schema in oneOf (at least indexes {first} and {i})");
            }

            first = i;
        }

        return first >= 0 || context.Fail("oneOf", $"value matches none of the {schemas.Length} schemas in oneOf");
    }
}

/// <summary>'not': the subschema must not match.</summary>
internal sealed class NotKeyword(SchemaNode schema) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        !context.Probe(schema, instance) || context.Fail("not", "value must not match the schema in 'not'");
}

/// <summary>if/then/else: 'if' only chooses; the chosen branch's errors are reported as its own.</summary>
internal sealed class IfThenElseKeyword(SchemaNode condition, SchemaNode? then, SchemaNode? otherwise) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        bool matched = context.Probe(condition, instance);
        SchemaNode? branch = matched ? then : otherwise;
        if (branch == BooleanSchema.False)
        {
            return context.Fail(matched ? "then" : "else", $"value is not allowed when it {(matched ? "matches" : "does not match")} the 'if' schema");
        }

        return branch is null || branch.Evaluate(instance, context);
    }
}

/// <summary>'$ref' to a schema elsewhere in the same document, bound once compilation has seen every target.</summary>
internal sealed class RefKeyword(string reference) : IKeyword
{
    public string Reference { get; } = reference;

    public SchemaNode? Target { get; set; }

    public bool Evaluate(JsonElement instance, EvaluationContext context) => Target!.Evaluate(instance, context);
}
