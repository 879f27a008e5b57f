using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>minimum, maximum, exclusiveMinimum, exclusiveMaximum: exact comparisons at any magnitude.</summary>
internal sealed class NumberBoundKeyword : IKeyword
{
    private readonly string _keyword;
    private readonly JsonNumber _limit;
    private readonly string _failure;
    private readonly Func<int, bool> _accepts;

    public NumberBoundKeyword(string keyword, JsonNumber limit, string limitText)
    {
        _keyword = keyword;
        _limit = limit;
        (_accepts, string failure) = keyword switch
        {
            "minimum" => ((Func<int, bool>)(order => order >= 0), "is less than minimum"),
            "maximum" => (order => order <= 0, "is greater than maximum"),
            "exclusiveMinimum" => (order => order > 0, "is not greater than exclusiveMinimum"),
            _ => (order => order < 0, "is not less than exclusiveMaximum"),
        };
        _failure = $"{failure} {limitText}";
    }

    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        instance.ValueKind != JsonValueKind.Number
        || _accepts(JsonNumber.From(instance).CompareTo(_limit))
        || context.Fail(_keyword, $"{JsonValueText.Describe(instance)} {_failure}");
}

/// <summary>'multipleOf': exact for any number of up to a thousand digits (see <see cref="JsonNumber.IsMultipleOf"/>).</summary>
internal sealed class MultipleOfKeyword(JsonNumber divisor, string divisorText) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        instance.ValueKind != JsonValueKind.Number
        || JsonNumber.From(instance).IsMultipleOf(divisor)
        || context.Fail("multipleOf", $"{JsonValueText.Describe(instance)} is not a multiple of {divisorText}");
}
