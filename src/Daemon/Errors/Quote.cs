using System.Text;

namespace Cortex.Llmd.Errors;

/// <summary>
/// Bounds every piece of caller or provider text an error message repeats. A caller may send a 3 MB
/// route name; echoing it whole turns a clear INVALID_ARGUMENT into a client-side "metadata size
/// exceeds limit" (grpcio's default header limit is 8 KiB), so quotes are clipped to
/// <see cref="MaxChars"/> characters and a whole message to <see cref="MaxMessageBytes"/> bytes on the wire.
/// </summary>
public static class Quote
{
    /// <summary>The most characters of one quoted value (a name, a reason, a schema error).</summary>
    public const int MaxChars = 200;

    /// <summary>The most bytes of a whole status message as sent (percent-encoded): under 4 KiB.</summary>
    public const int MaxMessageBytes = 4000;

    public const string Ellipsis = "...";

    /// <summary>The value in single quotes, clipped: <c>'abc...'</c>.</summary>
    public static string Of(string? value) => "'" + Clip(value) + "'";

    /// <summary>The value clipped to <paramref name="maxChars"/> characters (never inside a surrogate pair), with an ellipsis when cut.</summary>
    public static string Clip(string? value, int maxChars = MaxChars)
    {
        value ??= string.Empty;
        if (value.Length <= maxChars)
        {
            return value;
        }

        int cut = maxChars;
        if (cut > 0 && char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }

        return string.Concat(value.AsSpan(0, cut), Ellipsis);
    }

    /// <summary>A list of names, each clipped, the whole list clipped too (a config may name hundreds).</summary>
    public static string List(IEnumerable<string> names) => Clip(string.Join(", ", names.Select(n => Clip(n))), MaxChars * 2);

    /// <summary>
    /// The last guard before a message leaves: at most <paramref name="maxBytes"/> bytes as sent in
    /// <c>grpc-message</c>, where every byte outside printable ASCII (and '%') is percent-encoded to
    /// three, cut on a character boundary, ending in an ellipsis when cut.
    /// </summary>
    public static string Message(string? message, int maxBytes = MaxMessageBytes)
    {
        message ??= string.Empty;
        if (message.Length <= maxBytes / 9 || EncodedSize(message) <= maxBytes)
        {
            return message;
        }

        int budget = maxBytes - Ellipsis.Length;
        int size = 0;
        int i = 0;
        while (i < message.Length)
        {
            int width = char.IsSurrogatePair(message, i) ? 2 : 1;
            int next = EncodedSize(message.AsSpan(i, width));
            if (size + next > budget)
            {
                break;
            }

            size += next;
            i += width;
        }

        return string.Concat(message.AsSpan(0, i), Ellipsis);
    }

    /// <summary>The size of the text once percent-encoded as gRPC sends a status message.</summary>
    public static int EncodedSize(ReadOnlySpan<char> text)
    {
        int size = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is >= ' ' and <= '~' and not '%')
            {
                size++;
            }
            else
            {
                int width = i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1]) ? 2 : 1;
                size += 3 * Encoding.UTF8.GetByteCount(text.Slice(i, width));
                i += width - 1;
            }
        }

        return size;
    }
}
