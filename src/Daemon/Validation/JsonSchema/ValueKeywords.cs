using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>'const': the instance must equal one value (deeply, numbers by value).</summary>
internal sealed class ConstKeyword(JsonElement value) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        JsonEquality.Instance.Equals(value, instance)
        || context.Fail("const", $"expected {JsonValueText.Describe(value)}, got {JsonValueText.Describe(instance)}");
}

/// <summary>'enum': the instance must equal one of the listed values. An empty list accepts nothing.</summary>
internal sealed class EnumKeyword : IKeyword
{
    private const int ListedInMessage = 10;

    private readonly HashSet<JsonElement> _values;
    private readonly HashSet<JsonValueKind> _kinds;
    private readonly string _listed;

    public EnumKeyword(JsonElement values)
    {
        _values = new HashSet<JsonElement>(values.EnumerateArray(), JsonEquality.Instance);
        _kinds = [.. _values.Select(value => value.ValueKind)];
        int count = values.GetArrayLength();
        _listed = string.Join(", ", values.EnumerateArray().Take(ListedInMessage).Select(JsonValueText.Describe))
            + (count > ListedInMessage ? $", … ({count} values)" : string.Empty);
    }

    public bool Evaluate(JsonElement instance, EvaluationContext context) =>
        // The kind check first: it spares hashing a large object against a list of strings.
        (_kinds.Contains(instance.ValueKind) && _values.Contains(instance))
        || context.Fail("enum", _values.Count == 0
            ? "no value is allowed (enum is empty)"
            : $"{JsonValueText.Describe(instance)} is not one of {_listed}");
}
