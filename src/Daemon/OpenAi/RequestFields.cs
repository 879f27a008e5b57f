using System.Text.Json;

namespace Cortex.Llmd.OpenAi;

/// <summary>A request field that is missing, of the wrong JSON type or out of range, with the parameter it names.</summary>
internal sealed class BadParameterException : Exception
{
    public BadParameterException()
    {
    }

    public BadParameterException(string message)
        : base(message)
    {
    }

    public BadParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BadParameterException(string? param, string message)
        : base(message)
    {
        Param = param;
    }

    public string? Param { get; }
}

/// <summary>
/// Typed reads of request fields that fail with the parameter's path and what was expected. JSON null
/// counts as absent for optional fields, as the official SDKs send null for an unset option.
/// </summary>
internal static class RequestFields
{
    public static BadParameterException Bad(string param, string message) => new(param, message);

    public static JsonElement? Child(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string RequiredString(JsonElement parent, string name, string param) =>
        OptionalString(parent, name, param) ?? throw Bad(param, $"'{param}' is required");

    public static string? OptionalString(JsonElement parent, string name, string param) =>
        Child(parent, name) is { } value ? StringOf(value, param) : null;

    public static string StringOf(JsonElement value, string param)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw WrongType(param, "a string", value);
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(param);
        }
    }

    /// <summary>An object's JSON text as sent (a tool's parameters, a response schema).</summary>
    public static string RawTextOf(JsonElement value, string param)
    {
        try
        {
            return value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(param);
        }
    }

    /// <summary>
    /// The parser checks a string's syntax, not its text: bytes that are no UTF-8, or a \u escape of half
    /// a surrogate pair, fail only when the string is decoded. That is the body's fault, so a 400.
    /// </summary>
    private static BadParameterException NotUnicode(string param) =>
        Bad(param, $"'{param}' is not valid UTF-8 text (or has a \\u escape of an unpaired surrogate)");

    public static bool? OptionalBool(JsonElement parent, string name, string param) => Child(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { } other => throw WrongType(param, "a boolean", other),
    };

    public static JsonElement? OptionalObject(JsonElement parent, string name, string param) => Child(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } value => value,
        { } other => throw WrongType(param, "an object", other),
    };

    public static JsonElement RequiredObject(JsonElement parent, string name, string param) =>
        OptionalObject(parent, name, param) ?? throw Bad(param, $"'{param}' is required");

    public static JsonElement? OptionalArray(JsonElement parent, string name, string param) => Child(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Array } value => value,
        { } other => throw WrongType(param, "an array", other),
    };

    public static double? OptionalNumber(JsonElement parent, string name, string param) => Child(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetDouble(out double number) && double.IsFinite(number) => number,
        { } other => throw WrongType(param, "a number", other),
    };

    /// <summary>A whole number that fits a long; 12.0 is accepted as 12, 12.5 is not.</summary>
    public static long? OptionalInteger(JsonElement parent, string name, string param)
    {
        if (Child(parent, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long whole))
            {
                return whole;
            }

            if (value.TryGetDouble(out double real) && Math.Floor(real) == real && Math.Abs(real) < 9e15)
            {
                return (long)real;
            }
        }

        throw WrongType(param, "an integer", value);
    }

    public static BadParameterException WrongType(string param, string expected, JsonElement value) =>
        Bad(param, $"'{param}' must be {expected}, not {KindName(value.ValueKind)}");

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}

/// <summary>OpenAI's rule for function names: 1 to 64 of a-z, A-Z, 0-9, '_' and '-'.</summary>
internal static class ToolNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
