using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// The six count bounds: min/maxLength (code points, so an emoji counts once), min/maxItems and
/// min/maxProperties. Each applies only to its own kind of value.
/// </summary>
internal sealed class SizeKeyword : IKeyword
{
    private readonly string _keyword;
    private readonly long _limit;
    private readonly bool _isMinimum;
    private readonly JsonValueKind _kind;
    private readonly string _noun;

    public SizeKeyword(string keyword, long limit)
    {
        _keyword = keyword;
        _limit = limit;
        _isMinimum = keyword.StartsWith("min", StringComparison.Ordinal);
        (_kind, _noun) = keyword[3..] switch
        {
            "Length" => (JsonValueKind.String, "character"),
            "Items" => (JsonValueKind.Array, "item"),
            _ => (JsonValueKind.Object, "property"),
        };
    }

    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != _kind)
        {
            return true;
        }

        long size = _kind switch
        {
            JsonValueKind.String => JsonStrings.CountCodePoints(JsonStrings.Get(instance)),
            JsonValueKind.Array => instance.GetArrayLength(),
            _ => CountProperties(instance),
        };
        if (_isMinimum ? size >= _limit : size <= _limit)
        {
            return true;
        }

        string kind = _kind == JsonValueKind.Object ? "object" : _kind.ToString().ToLowerInvariant();
        string has = JsonValueText.Plural(size, _noun, _noun == "property" ? "properties" : null);
        return context.Fail(_keyword, $"{kind} has {has}, {(_isMinimum ? "fewer" : "more")} than {_keyword} {_limit}");
    }

    private static long CountProperties(JsonElement instance)
    {
        long count = 0;
        foreach (JsonProperty _ in instance.EnumerateObject())
        {
            count++;
        }

        return count;
    }
}
