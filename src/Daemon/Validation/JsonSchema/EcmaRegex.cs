using System.Text;
using System.Text.RegularExpressions;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// Runs JSON Schema's ECMA-262 patterns on .NET's engine. The two dialects mostly agree; the differences
/// that change verdicts on ordinary patterns are rewritten: '$' means end of input (.NET also matches
/// before a final newline), '.' matches one code point but no line terminator, \d and \w are ASCII-only,
/// and long Unicode property names (\p{Letter}) become .NET's short ones (\p{L}). Still different:
/// classes and \p{..} see UTF-16 units, so they do not match characters outside the BMP.
/// </summary>
internal static class EcmaRegex
{
    /// <summary>Bounds catastrophic backtracking ("(a+)+$") on hostile input.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private const string AnyCodePoint = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\n\r\u2028\u2029])";

    private static readonly Dictionary<string, string> Categories = new(StringComparer.Ordinal)
    {
        ["Letter"] = "L", ["Uppercase_Letter"] = "Lu", ["Lowercase_Letter"] = "Ll", ["Titlecase_Letter"] = "Lt",
        ["Modifier_Letter"] = "Lm", ["Other_Letter"] = "Lo", ["Mark"] = "M", ["Combining_Mark"] = "M",
        ["Nonspacing_Mark"] = "Mn", ["Spacing_Mark"] = "Mc", ["Enclosing_Mark"] = "Me", ["Number"] = "N",
        ["Decimal_Number"] = "Nd", ["digit"] = "Nd", ["Letter_Number"] = "Nl", ["Other_Number"] = "No",
        ["Punctuation"] = "P", ["punct"] = "P", ["Connector_Punctuation"] = "Pc", ["Dash_Punctuation"] = "Pd",
        ["Open_Punctuation"] = "Ps", ["Close_Punctuation"] = "Pe", ["Initial_Punctuation"] = "Pi",
        ["Final_Punctuation"] = "Pf", ["Other_Punctuation"] = "Po", ["Symbol"] = "S", ["Math_Symbol"] = "Sm",
        ["Currency_Symbol"] = "Sc", ["Modifier_Symbol"] = "Sk", ["Other_Symbol"] = "So", ["Separator"] = "Z",
        ["Space_Separator"] = "Zs", ["Line_Separator"] = "Zl", ["Paragraph_Separator"] = "Zp", ["Other"] = "C",
        ["Control"] = "Cc", ["cntrl"] = "Cc", ["Format"] = "Cf", ["Surrogate"] = "Cs", ["Private_Use"] = "Co",
        ["Unassigned"] = "Cn",
    };

    /// <summary>Compiles a pattern; throws <see cref="ArgumentException"/> when it is not a valid regex.</summary>
    public static Regex Create(string pattern) => new(Translate(pattern), RegexOptions.None, MatchTimeout);

    internal static string Translate(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                i = TranslateEscape(pattern, i, inClass, output);
            }
            else if (inClass)
            {
                inClass = c != ']';
                output.Append(c);
            }
            else if (c == '[')
            {
                i = OpenClass(pattern, i, output, out inClass);
            }
            else
            {
                output.Append(c switch { '.' => AnyCodePoint, '$' => @"\z", _ => c.ToString() });
            }
        }

        return output.ToString();
    }

    /// <summary>ECMA's "[]" matches nothing and "[^]" anything; .NET would read the ']' as a literal.</summary>
    private static int OpenClass(string pattern, int i, StringBuilder output, out bool inClass)
    {
        ReadOnlySpan<char> rest = pattern.AsSpan(i);
        inClass = false;
        if (rest.StartsWith("[]"))
        {
            output.Append("(?!)");
            return i + 1;
        }

        if (rest.StartsWith("[^]"))
        {
            output.Append(@"[\s\S]");
            return i + 2;
        }

        inClass = true;
        output.Append('[');
        return i;
    }

    /// <summary>Writes the escape starting at <paramref name="i"/> and returns the index of its last character.</summary>
    private static int TranslateEscape(string pattern, int i, bool inClass, StringBuilder output)
    {
        char kind = pattern[i + 1];
        string? replacement = kind switch
        {
            'd' => inClass ? "0-9" : "[0-9]",
            'D' when !inClass => "[^0-9]",
            'w' => inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]",
            'W' when !inClass => "[^a-zA-Z0-9_]",
            _ => null,
        };
        if (replacement is not null)
        {
            output.Append(replacement);
            return i + 1;
        }

        int close = kind is 'p' or 'P' && i + 2 < pattern.Length && pattern[i + 2] == '{' ? pattern.IndexOf('}', i + 3) : -1;
        if (close < 0)
        {
            output.Append('\\').Append(kind);
            return i + 1;
        }

        string name = pattern[(i + 3)..close];
        int equals = name.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0 && name[..equals] is "General_Category" or "gc")
        {
            name = name[(equals + 1)..];
        }

        output.Append('\\').Append(kind).Append('{').Append(Categories.GetValueOrDefault(name, name)).Append('}');
        return close;
    }
}
