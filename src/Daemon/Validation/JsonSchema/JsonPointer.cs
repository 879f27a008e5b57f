using System.Text;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>RFC 6901 tokens: "~" is written "~0" and "/" is written "~1".</summary>
internal static class JsonPointer
{
    public static string Escape(string token) =>
        token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    // "~1" first: "~01" means the text "~1", not "/".
    public static string Unescape(string token) =>
        token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    public static string Append(string pointer, string token) => pointer + "/" + Escape(token);

    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static void AppendToken(StringBuilder builder, string token)
    {
        builder.Append('/');
        foreach (char c in token)
        {
            _ = c switch
            {
                '~' => builder.Append("~0"),
                '/' => builder.Append("~1"),
                _ => builder.Append(c),
            };
        }
    }
}
