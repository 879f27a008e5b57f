using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>Short renderings of JSON values for error messages: bounded, so one huge value cannot flood a log.</summary>
internal static class JsonValueText
{
    private const int RawLimit = 80;

    public static string Describe(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return JsonStrings.Quote(JsonStrings.Get(value));
            case JsonValueKind.Object:
            case JsonValueKind.Array:
                ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
                return raw.Length <= RawLimit ? Encoding.UTF8.GetString(raw) : Summarize(value);
            default:
                ReadOnlySpan<byte> scalar = JsonMarshal.GetRawUtf8Value(value);
                return scalar.Length <= RawLimit
                    ? Encoding.UTF8.GetString(scalar)
                    : Encoding.UTF8.GetString(scalar[..RawLimit]) + "…";
        }
    }

    /// <summary>The type name plus the value, as in "number 1.5" or "object": used by 'type' errors.</summary>
    public static string DescribeWithType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean " + Describe(value),
        JsonValueKind.Number => (JsonNumber.From(value).IsIntegral ? "integer " : "number ") + Describe(value),
        _ => "string " + Describe(value),
    };

    public static string Plural(long count, string singular, string? plural = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural ?? singular + "s");

    private static string Summarize(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? "an array of " + Plural(value.GetArrayLength(), "item")
        : "an object with " + Plural(value.EnumerateObject().Count(), "property", "properties");
}
