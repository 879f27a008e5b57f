using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>A compiled schema: immutable, so one instance can validate on many threads at once.</summary>
internal abstract class SchemaNode
{
    public abstract bool Evaluate(JsonElement instance, EvaluationContext context);
}

/// <summary>The schemas true (accepts everything, also what {} compiles to) and false (accepts nothing).</summary>
internal sealed class BooleanSchema : SchemaNode
{
    public static readonly BooleanSchema True = new(true);
    public static readonly BooleanSchema False = new(false);

    private BooleanSchema(bool value) => Value = value;

    public bool Value { get; }

    public override bool Evaluate(JsonElement instance, EvaluationContext context) =>
        Value || context.Fail("false", "no value is allowed here (the schema is false)");
}

/// <summary>One assertion or applicator of a schema object.</summary>
internal interface IKeyword
{
    bool Evaluate(JsonElement instance, EvaluationContext context);
}

/// <summary>A schema object: the instance is valid when every keyword passes.</summary>
internal sealed class KeywordSchema(IKeyword[] keywords) : SchemaNode
{
    public override bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        context.EnterSchema();
        bool valid = true;
        foreach (IKeyword keyword in keywords)
        {
            if (!keyword.Evaluate(instance, context))
            {
                valid = false;
                if (context.StopEarly)
                {
                    break;
                }
            }
        }

        context.ExitSchema();
        return valid;
    }
}
