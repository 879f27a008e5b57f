using System.Buffers;
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
