namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// Checks shared by every provider's baseUrl. A URL's user info is a password written into config: it
/// is refused, and no error message ever quotes it.
/// </summary>
public static class ProviderUrl
{
    public const string UserInfoNotAllowed =
        "user info (user:password@) is not allowed in a URL; give the key with apiKeyEnv, apiKeyFile or apiKeyCredential";

    /// <summary>True when the text's authority holds user info, whether or not the text parses as a URI.</summary>
    public static bool HasUserInfo(string text) => UserInfoRange(text) is not null;

    /// <summary>The text as an error may quote it: any user info replaced by "***".</summary>
    public static string Printable(string text) =>
        UserInfoRange(text) is var (start, length) ? string.Concat(text.AsSpan(0, start), "***", text.AsSpan(start + length)) : text;

    /// <summary>Where the user info lies: after "scheme://" and before the authority's last '@'.</summary>
    private static (int Start, int Length)? UserInfoRange(string text)
    {
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        int start = scheme < 0 ? 0 : scheme + 3;
        int end = text.AsSpan(start).IndexOfAny('/', '?', '#');
        ReadOnlySpan<char> authority = end < 0 ? text.AsSpan(start) : text.AsSpan(start, end);
        int at = authority.LastIndexOf('@');
        return at < 0 ? null : (start, at);
    }
}
