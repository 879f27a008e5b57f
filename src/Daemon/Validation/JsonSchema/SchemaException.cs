namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// A schema that cannot be used. Raised only while compiling, so a schema that compiled never fails later
/// for a reason that could have been seen up front.
/// </summary>
public sealed class SchemaException : Exception
{
    public SchemaException(string message, string? keyword, string location)
        : base(message)
    {
        Keyword = keyword;
        Location = location;
    }

    /// <summary>The offending keyword, or null when the problem is not one keyword's (invalid JSON, nesting).</summary>
    public string? Keyword { get; }

    /// <summary>Where in the schema, as a JSON pointer fragment ("#" for the root, "#/properties/a").</summary>
    public string Location { get; }

    internal static SchemaException Unsupported(string keyword, string location, string? why = null) =>
        new($"unsupported keyword '{keyword}' at {location}{(why is null ? string.Empty : ": " + why)}", keyword, location);

    internal static SchemaException Invalid(string keyword, string location, string expected, string got) =>
        new($"invalid value for '{keyword}' at {location}: expected {expected}, got {got}", keyword, location);
}
