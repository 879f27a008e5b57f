namespace Cortex.Llmd.Completions;

/// <summary>Request ids: the caller's own when it is a sane token, otherwise a new time-ordered one.</summary>
public static class RequestIds
{
    public const int MaxLength = 64;
    public const int MaxCorrelationBytes = 1024;

    public static string FromCaller(string? proposed) =>
        proposed is { Length: > 0 and <= MaxLength } && proposed.All(IsTokenChar) ? proposed : New();

    public static string New() => "req_" + Guid.CreateVersion7().ToString("N");

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';
}
