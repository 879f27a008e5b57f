namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// A provider secret. It never prints itself, so a key passed to a log call, an exception message or
/// string interpolation by mistake shows as "***".
/// </summary>
public sealed class ApiKey(string value)
{
    public string Reveal() => value;

    /// <summary>Removes the key from text that might echo it, such as a provider's error body.</summary>
    public string Redact(string text) =>
        value.Length >= 8 ? text.Replace(value, "***", StringComparison.Ordinal) : text;

    public override string ToString() => "***";
}
