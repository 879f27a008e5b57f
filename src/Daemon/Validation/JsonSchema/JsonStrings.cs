using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// String access that never throws. System.Text.Json refuses strings holding a lone surrogate escape
/// ("\ud800"), which is valid JSON; a validator must judge such input, not crash on it.
/// </summary>
internal static class JsonStrings
{
    public static string Get(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element);
            return Unescape(raw[1..^1]);
        }
    }

    public static string Name(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return Unescape(JsonMarshal.GetRawUtf8PropertyName(property));
        }
    }

    /// <summary>Unescapes the raw text of a JSON string the reader has already checked, keeping lone surrogates.</summary>
    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var builder = new StringBuilder(raw.Length);
        int start = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                continue;
            }

            builder.Append(Encoding.UTF8.GetString(raw[start..i]));
            byte kind = raw[++i];
            if (kind == (byte)'u')
            {
                builder.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(i + 1, 4)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                i += 4;
            }
            else
            {
                builder.Append(kind switch
                {
                    (byte)'b' => '\b',
                    (byte)'f' => '\f',
                    (byte)'n' => '\n',
                    (byte)'r' => '\r',
                    (byte)'t' => '\t',
                    _ => (char)kind,
                });
            }

            start = i + 1;
        }

        return builder.Append(Encoding.UTF8.GetString(raw[start..])).ToString();
    }

    /// <summary>Unicode code points, as JSON Schema counts string length: a surrogate pair is one.</summary>
    public static int CountCodePoints(string text)
    {
        int count = text.Length;
        for (int i = 0; i < text.Length - 1; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }

    /// <summary>A JSON-style quoted string for messages, cut to about <paramref name="limit"/> characters.</summary>
    public static string Quote(string text, int limit = 60)
    {
        bool cut = text.Length > limit;
        int length = cut && char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : Math.Min(limit, text.Length);
        var builder = new StringBuilder(length + 8).Append('"');
        for (int i = 0; i < length; i++)
        {
            char c = text[i];
            bool pairedSurrogate = char.IsSurrogatePair(text, i) || (i > 0 && char.IsSurrogatePair(text, i - 1));
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when c < ' ' || (char.IsSurrogate(c) && !pairedSurrogate) =>
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append(cut ? "\"…" : "\"").ToString();
    }
}
