namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// A provider secret. It never prints itself, so a key passed to a log call, an exception message or
/// string interpolation by mistake shows as "***".
/// </summary>
public sealed class ApiKey
{
    /// <summary>
    /// The shortest run of the key's characters that is masked. Providers echo keys in part
    /// ("sk-...T123abcd"); eight characters of a random key still narrow a search, fewer do not.
    /// </summary>
    public const int FragmentLength = 8;

    private const string Mask = "***";

    private readonly string _value;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _fragments;

    public ApiKey(string value)
    {
        _value = value;
        var fragments = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i + FragmentLength <= value.Length; i++)
        {
            fragments.Add(value.Substring(i, FragmentLength));
        }

        _fragments = fragments.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Reveal() => _value;

    /// <summary>
    /// Masks the key in text that might echo it, such as a provider's error body: the whole key, and
    /// every run of <see cref="FragmentLength"/> or more consecutive characters of it, wherever in the
    /// key that run starts. A key shorter than a fragment is masked only whole.
    /// </summary>
    public string Redact(string text)
    {
        if (_value.Length < FragmentLength)
        {
            return _value.Length > 0 ? text.Replace(_value, Mask, StringComparison.Ordinal) : text;
        }

        // Every window of FragmentLength inside a longer echoed run is itself a fragment of the key,
        // so marking matching windows covers runs of any length.
        bool[]? masked = null;
        ReadOnlySpan<char> span = text;
        for (int i = 0; i + FragmentLength <= span.Length; i++)
        {
            if (_fragments.Contains(span.Slice(i, FragmentLength)))
            {
                masked ??= new bool[span.Length];
                Array.Fill(masked, true, i, FragmentLength);
            }
        }

        return masked is null ? text : Apply(text, masked);
    }

    public override string ToString() => Mask;

    private static string Apply(string text, bool[] masked)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (!masked[i])
            {
                result.Append(text[i]);
            }
            else if (i == 0 || !masked[i - 1])
            {
                result.Append(Mask);
            }
        }

        return result.ToString();
    }
}
