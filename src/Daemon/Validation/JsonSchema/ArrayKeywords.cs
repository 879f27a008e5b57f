using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// prefixItems and items together: items applies only to the elements after those prefixItems covers.
/// </summary>
internal sealed class ItemsKeyword(SchemaNode[] prefix, SchemaNode? rest) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        bool valid = true;
        int index = 0;
        foreach (JsonElement item in instance.EnumerateArray())
        {
            if (index >= prefix.Length && rest is null)
            {
                break;
            }

            if (index >= prefix.Length && rest == BooleanSchema.False)
            {
                // One error for the array, not one per surplus element.
                int length = instance.GetArrayLength();
                return context.Fail("items", $"array has {JsonValueText.Plural(length, "item")}, but only {prefix.Length} {(prefix.Length == 1 ? "is" : "are")} allowed");
            }

            context.PushIndex(index);
            SchemaNode schema = index < prefix.Length ? prefix[index] : rest!;
            valid &= schema == BooleanSchema.False
                ? context.Fail("prefixItems", "no item is allowed at this position")
                : schema.Evaluate(item, context);
            context.Pop();
            if (!valid && context.StopEarly)
            {
                return false;
            }

            index++;
        }

        return valid;
    }
}

/// <summary>contains with minContains (default 1; 0 makes contains always pass) and maxContains.</summary>
internal sealed class ContainsKeyword(SchemaNode schema, long minimum, long? maximum) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array || (minimum == 0 && maximum is null))
        {
            return true;
        }

        long matches = 0;
        int index = 0;
        foreach (JsonElement item in instance.EnumerateArray())
        {
            context.PushIndex(index++);
            bool match = context.Probe(schema, item);
            context.Pop();
            matches += match ? 1 : 0;
            // Stop as soon as the verdict is known.
            if ((maximum is null && matches >= minimum) || matches > maximum)
            {
                break;
            }
        }

        if (matches < minimum)
        {
            return context.Fail(
                matches == 0 && minimum == 1 ? "contains" : "minContains",
                matches == 0 && minimum == 1
                    ? "array has no item matching the contains schema"
                    : $"array has {JsonValueText.Plural(matches, "item")} matching the contains schema, fewer than minContains {minimum}");
        }

        return maximum is null || matches <= maximum
            || context.Fail("maxContains", $"array has more than {maximum} items matching the contains schema (maxContains {maximum})");
    }
}

/// <summary>'uniqueItems': no two elements may be equal (deeply, numbers by value); hashing keeps it linear.</summary>
internal sealed class UniqueItemsKeyword : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var seen = new Dictionary<JsonElement, int>(JsonEquality.Instance);
        int index = 0;
        foreach (JsonElement item in instance.EnumerateArray())
        {
            if (!seen.TryAdd(item, index))
            {
                return context.Fail("uniqueItems", $"items {seen[item]} and {index} are equal; items must be unique");
            }

            index++;
        }

        return true;
    }
}
