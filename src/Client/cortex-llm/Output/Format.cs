using System.Globalization;
using Cortex.Llm.V1;

namespace Cortex.Llm.Cli.Output;

/// <summary>How numbers, money, durations and times look in human output. Invariant culture throughout.</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>US dollars with six decimals; a trailing "+" marks a lower bound (some tokens had no price).</summary>
    public static string Usd(Cost? cost)
    {
        if (cost is null)
        {
            return "-";
        }

        string amount = (cost.NanoUsd / 1_000_000_000m).ToString("0.000000", Invariant);
        return cost.Priced ? amount : amount + "+";
    }

    /// <summary>Like <see cref="Usd"/> with a dollar sign, or "-" when there is no cost at all.</summary>
    public static string Dollars(Cost? cost) => cost is null ? "-" : "$" + Usd(cost);

    public static string OrDash(string value) => value.Length == 0 ? "-" : value;

    public static string Micros(ulong micros) => micros switch
    {
        0 => "-",
        < 1_000 => micros.ToString(Invariant) + "us",
        < 1_000_000 => (micros / 1_000d).ToString("0.#", Invariant) + "ms",
        < 60_000_000 => (micros / 1_000_000d).ToString("0.##", Invariant) + "s",
        _ => Span(TimeSpan.FromMicroseconds(micros)),
    };

    /// <summary>A coarse duration for ages and windows: "42s", "5m", "3h12m", "2d4h".</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return Math.Max(0, (int)span.TotalSeconds).ToString(Invariant) + "s";
        }

        if (span < TimeSpan.FromHours(1))
        {
            return ((int)span.TotalMinutes).ToString(Invariant) + "m" + Part(span.Seconds, "s");
        }

        return span < TimeSpan.FromDays(1)
            ? ((int)span.TotalHours).ToString(Invariant) + "h" + Part(span.Minutes, "m")
            : ((int)span.TotalDays).ToString(Invariant) + "d" + Part(span.Hours, "h");
    }

    public static string Time(long unixMs) =>
        unixMs <= 0 ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant);

    /// <summary>Time since <paramref name="unixMs"/>, or "-" when unknown.</summary>
    public static string Age(long unixMs, DateTimeOffset now) =>
        unixMs <= 0 ? "-" : Span(now - DateTimeOffset.FromUnixTimeMilliseconds(unixMs));

    public static string Count(ulong value) => value.ToString(Invariant);

    public static string YesNo(bool value) => value ? "yes" : "no";

    private static string Part(int value, string unit) => value == 0 ? string.Empty : value.ToString(Invariant) + unit;
}
