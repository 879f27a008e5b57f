using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// JSON Schema equality (enum, const, uniqueItems): deep, numbers by value (1 == 1.0), objects ignoring
/// member order, and no loose matches (false != 0). The hash agrees with it, so sets of values work.
/// </summary>
internal sealed class JsonEquality : IEqualityComparer<JsonElement>
{
    public static readonly JsonEquality Instance = new();

    // Below this size a linear member search costs less than building a lookup.
    private const int SmallObject = 8;

    public bool Equals(JsonElement x, JsonElement y)
    {
        if (x.ValueKind != y.ValueKind)
        {
            return false;
        }

        return x.ValueKind switch
        {
            JsonValueKind.Number => JsonNumber.From(x) == JsonNumber.From(y),
            JsonValueKind.String => string.Equals(JsonStrings.Get(x), JsonStrings.Get(y), StringComparison.Ordinal),
            JsonValueKind.Array => ArraysEqual(x, y),
            JsonValueKind.Object => ObjectsEqual(x, y),
            _ => true,
        };
    }

    public int GetHashCode(JsonElement obj)
    {
        switch (obj.ValueKind)
        {
            case JsonValueKind.Number:
                return JsonNumber.From(obj).GetHashCode();
            case JsonValueKind.String:
                return StringComparer.Ordinal.GetHashCode(JsonStrings.Get(obj));
            case JsonValueKind.Array:
                var hash = new HashCode();
                foreach (JsonElement item in obj.EnumerateArray())
                {
                    hash.Add(GetHashCode(item));
                }

                return hash.ToHashCode();
            case JsonValueKind.Object:
                // A sum does not depend on member order, which object equality ignores.
                int sum = 0;
                foreach (JsonProperty member in obj.EnumerateObject())
                {
                    sum = unchecked(sum + HashCode.Combine(StringComparer.Ordinal.GetHashCode(JsonStrings.Name(member)), GetHashCode(member.Value)));
                }

                return sum;
            default:
                return (int)obj.ValueKind;
        }
    }

    private bool ArraysEqual(JsonElement x, JsonElement y)
    {
        if (x.GetArrayLength() != y.GetArrayLength())
        {
            return false;
        }

        using JsonElement.ArrayEnumerator right = y.EnumerateArray();
        foreach (JsonElement left in x.EnumerateArray())
        {
            right.MoveNext();
            if (!Equals(left, right.Current))
            {
                return false;
            }
        }

        return true;
    }

    private bool ObjectsEqual(JsonElement x, JsonElement y)
    {
        int count = x.EnumerateObject().Count();
        if (count != y.EnumerateObject().Count())
        {
            return false;
        }

        Dictionary<string, JsonElement>? lookup = count > SmallObject ? Members(y) : null;
        foreach (JsonProperty member in x.EnumerateObject())
        {
            string name = JsonStrings.Name(member);
            bool found = lookup is null ? TryFind(y, name, out JsonElement other) : lookup.TryGetValue(name, out other);
            if (!found || !Equals(member.Value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryFind(JsonElement obj, string name, out JsonElement value)
    {
        foreach (JsonProperty member in obj.EnumerateObject())
        {
            if (string.Equals(JsonStrings.Name(member), name, StringComparison.Ordinal))
            {
                value = member.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static Dictionary<string, JsonElement> Members(JsonElement obj)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty member in obj.EnumerateObject())
        {
            members[JsonStrings.Name(member)] = member.Value;
        }

        return members;
    }
}
