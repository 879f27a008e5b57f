using System.Globalization;

namespace Cortex.Llmd.Configuration;

/// <summary>Durations as people write them in config: "250ms", "8s", "2m", "1h", or "0".</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s is "0")
        {
            return true;
        }

        (int suffix, long ticksPerUnit) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => (2, TimeSpan.TicksPerMillisecond),
            _ when s.EndsWith("us", StringComparison.Ordinal) => (2, TimeSpan.TicksPerMicrosecond),
            _ when s.EndsWith('s') => (1, TimeSpan.TicksPerSecond),
            _ when s.EndsWith('m') => (1, TimeSpan.TicksPerMinute),
            _ when s.EndsWith('h') => (1, TimeSpan.TicksPerHour),
            _ when s.EndsWith('d') => (1, TimeSpan.TicksPerDay),
            _ => (0, 0L),
        };
        if (suffix == 0 || !decimal.TryParse(s[..^suffix], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal amount))
        {
            return false;
        }

        decimal ticks = amount * ticksPerUnit;
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    public static string Format(TimeSpan value) => value switch
    {
        { Ticks: 0 } => "0",
        _ when value.Ticks % TimeSpan.TicksPerHour == 0 => (value.Ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h",
        _ when value.Ticks % TimeSpan.TicksPerMinute == 0 => (value.Ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m",
        _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => (value.Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s",
        _ => value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms",
    };
}
