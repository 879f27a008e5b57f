using System.Buffers;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Cortex.Llm.Cli.Parsing;

/// <summary>Durations as people type them: "500ms", "30s", "2m", "1h30m", "1.5h", "7d".</summary>
internal static class Durations
{
    private static readonly SearchValues<char> NumberChars = SearchValues.Create("0123456789.");

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> rest = text.AsSpan().Trim();
        while (!rest.IsEmpty)
        {
            int numberLength = rest.IndexOfAnyExcept(NumberChars);
            if (numberLength <= 0
                || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            {
                return false;
            }

            rest = rest[numberLength..];
            int unitLength = rest.IndexOfAny(NumberChars);
            if (unitLength < 0)
            {
                unitLength = rest.Length;
            }

            if (UnitTicks(rest[..unitLength]) is not { } ticks)
            {
                return false;
            }

            double total = duration.Ticks + (amount * ticks);
            if (total >= TimeSpan.MaxValue.Ticks)
            {
                return false;
            }

            duration = TimeSpan.FromTicks((long)total);
            rest = rest[unitLength..];
        }

        return true;
    }

    /// <summary>A System.CommandLine parser for a duration option; a bad value is a usage error.</summary>
    public static TimeSpan? ParseOption(ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (TryParse(token, out TimeSpan duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"'{token}' is not a duration; use forms like 500ms, 30s, 5m, 1h30m.");
        return null;
    }

    /// <summary>"1h" means one hour ago; anything else must be an ISO-8601 time (UTC unless it says otherwise).</summary>
    public static DateTimeOffset? ParseMoment(ArgumentResult result, TimeProvider clock)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (TryParse(token, out TimeSpan ago))
        {
            return clock.GetUtcNow() - ago;
        }

        if (DateTimeOffset.TryParse(token, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset moment))
        {
            return moment;
        }

        result.AddError($"'{token}' is neither a relative duration (1h, 30m) nor an ISO-8601 time.");
        return null;
    }

    private static long? UnitTicks(ReadOnlySpan<char> unit) => unit switch
    {
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        "d" => TimeSpan.TicksPerDay,
        _ => null,
    };
}
