using System.CommandLine.Parsing;
using System.Globalization;

namespace Cortex.Llm.Cli.Parsing;

/// <summary>
/// The type and range of every option value, checked here and nowhere else, so that each bad value gets one
/// message in the CLI's own words ("--max-tokens must be ...") instead of the parser's type names.
/// </summary>
internal static class OptionRules
{
    /// <summary>A whole number from <paramref name="minimum"/> to 4294967295.</summary>
    public static Func<ArgumentResult, uint?> WholeNumber(uint minimum) => result =>
    {
        string token = Token(result);
        return uint.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && value >= minimum
            ? value
            : Fail<uint?>(result, $"must be a whole number from {minimum} to {uint.MaxValue}", token);
    };

    /// <summary>A number from <paramref name="minimum"/> to <paramref name="maximum"/>, both included.</summary>
    public static Func<ArgumentResult, double?> Number(double minimum, double maximum) => result =>
    {
        string token = Token(result);
        return double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            && value >= minimum && value <= maximum
            ? value
            : Fail<double?>(result, string.Create(CultureInfo.InvariantCulture, $"must be a number from {minimum} to {maximum}"), token);
    };

    /// <summary>A positive duration such as 500ms, 30s, 2m or 1h30m.</summary>
    public static TimeSpan? Duration(ArgumentResult result)
    {
        string token = Token(result);
        return Durations.TryParse(token, out TimeSpan duration) && duration > TimeSpan.Zero
            ? duration
            : Fail<TimeSpan?>(result, "must be a duration such as 500ms, 30s, 5m or 1h30m", token);
    }

    /// <summary>"1h" means one hour ago; anything else must be an ISO-8601 time (UTC unless it says otherwise).</summary>
    public static Func<ArgumentResult, DateTimeOffset?> Moment(TimeProvider clock) => result =>
    {
        string token = Token(result);
        if (Durations.TryParse(token, out TimeSpan ago))
        {
            return clock.GetUtcNow() - ago;
        }

        return DateTimeOffset.TryParse(token, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset moment)
            ? moment
            : Fail<DateTimeOffset?>(result, "must be a duration ago (1h, 30m) or an ISO-8601 time", token);
    };

    /// <summary>One of <paramref name="names"/>.</summary>
    public static Func<ArgumentResult, string?> OneOf(string[] names) => result =>
    {
        string token = Token(result);
        return Array.IndexOf(names, token) >= 0 ? token : Fail<string?>(result, "must be one of " + string.Join(", ", names), token);
    };

    /// <summary>Any number of <paramref name="names"/>, the option repeated once per value.</summary>
    public static Func<ArgumentResult, string[]> EachOneOf(string[] names) => result =>
        EachMatching(result, token => Array.IndexOf(names, token) >= 0, "must be one of " + string.Join(", ", names));

    /// <summary>Any number of key=value pairs with a non-empty key.</summary>
    public static string[] KeyValues(ArgumentResult result) =>
        EachMatching(result, token => token.IndexOf('=', StringComparison.Ordinal) > 0, "must look like key=value");

    private static string[] EachMatching(ArgumentResult result, Func<string, bool> valid, string rule)
    {
        string[] tokens = [.. result.Tokens.Select(t => t.Value)];
        foreach (string token in tokens)
        {
            if (!valid(token))
            {
                return Fail<string[]>(result, rule, token) ?? [];
            }
        }

        return tokens;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;

    private static T? Fail<T>(ArgumentResult result, string rule, string token)
    {
        string name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError($"{name} {rule}, not '{token}'.");
        return default;
    }
}
