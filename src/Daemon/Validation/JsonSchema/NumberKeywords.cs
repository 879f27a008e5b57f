using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>minimum, maximum, exclusiveMinimum, exclusiveMaximum: exact comparisons at any magnitude.</summary>
internal sealed class NumberBoundKeyword(string keyword, JsonNumber limit, string limitText) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Number)
        {
            return true;
        }

        int order = JsonNumber.From(instance).CompareTo(limit);
        (bool valid, string failure) = keyword switch
        {
            "minimum" => (order >= 0, "is less than minimum"),
            "maximum" => (order <= 0, "is greater than maximum"),
            "exclusiveMinimum" => (order > 0, "is not greater than exclusiveMinimum"),
            _ => (order < 0, "is not less than exclusiveMaximum"),
        };
        return valid || context.Fail(keyword, $"{JsonValueText.Describe(instance)} {failure} {limitText}");
    }
}

/// <summary>'multipleOf': exact for any number of up to a thousand digits (see <see cref="JsonNumber.IsMultipleOf"/>).</summary>
internal sealed class MultipleOfKeyword(JsonNumber divisor, string divisorText) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        instance.ValueKind != JsonValueKind.Number
        || JsonNumber.From(instance).IsMultipleOf(divisor)
        || context.Fail("multipleOf", $"{JsonValueText.Describe(instance)} is not a multiple of {divisorText}");
}
