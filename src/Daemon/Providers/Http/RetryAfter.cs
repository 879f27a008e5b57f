using System.Globalization;
using System.Net.Http.Headers;
using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Providers.Http;

/// <summary>How long a provider asked us to wait, and which header said so ("Retry-After 120s").</summary>
public readonly record struct WaitHint(TimeSpan Wait, string Source);

/// <summary>
/// Reads how long a provider asked us to wait: <c>retry-after-ms</c>, then <c>Retry-After</c> (seconds or an
/// HTTP date). On a 429 without them, the rate-limit reset headers: Anthropic's
/// <c>anthropic-ratelimit-*-reset</c> (RFC 3339 times) and OpenAI's <c>x-ratelimit-reset-*</c> (durations
/// such as "6m0s", "1s", "20ms"). Of several resets, those whose <c>remaining</c> count is 0 decide (the
/// latest of them); when none says which limit was hit, the earliest reset is taken, so a guess never
/// waits longer than the provider could need.
/// </summary>
public static class RetryAfter
{
    /// <summary>A sanity bound on what is read; routing caps a cooldown lower (health.maxCooldown).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(1);

    private static readonly (string Reset, string Remaining)[] AnthropicLimits =
    [
        ("anthropic-ratelimit-requests-reset", "anthropic-ratelimit-requests-remaining"),
        ("anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-tokens-remaining"),
        ("anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-input-tokens-remaining"),
        ("anthropic-ratelimit-output-tokens-reset", "anthropic-ratelimit-output-tokens-remaining"),
    ];

    private static readonly (string Reset, string Remaining)[] OpenAiLimits =
    [
        ("x-ratelimit-reset-requests", "x-ratelimit-remaining-requests"),
        ("x-ratelimit-reset-tokens", "x-ratelimit-remaining-tokens"),
    ];

    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now) => Read(headers, now, rateLimited: false)?.Wait;

    /// <param name="rateLimited">The answer was a 429: the reset headers then say when the limit that was hit ends.</param>
    public static WaitHint? Read(HttpResponseHeaders headers, DateTimeOffset now, bool rateLimited)
    {
        if (First(headers, "retry-after-ms") is { } ms
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double millis) && millis >= 0)
        {
            TimeSpan wait = Clamp(TimeSpan.FromMilliseconds(millis));
            return new WaitHint(wait, "retry-after-ms " + ms.Trim());
        }

        RetryConditionHeaderValue? value = headers.RetryAfter;
        TimeSpan? asked = value?.Delta ?? (value?.Date is { } date ? date - now : null);
        if (asked is { } retry)
        {
            TimeSpan wait = Clamp(retry);
            return new WaitHint(wait, "Retry-After " + Seconds(wait));
        }

        return rateLimited ? FromResets(headers, now) : null;
    }

    private static WaitHint? FromResets(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var exhausted = new List<WaitHint>();
        var all = new List<WaitHint>();
        foreach ((string reset, string remaining) in AnthropicLimits.Concat(OpenAiLimits))
        {
            if (First(headers, reset) is not { } text || ParseReset(text, now) is not { } wait)
            {
                continue;
            }

            var hint = new WaitHint(Clamp(wait), $"{reset} {text.Trim()}");
            all.Add(hint);
            if (First(headers, remaining)?.Trim() == "0")
            {
                exhausted.Add(hint);
            }
        }

        return exhausted.Count > 0 ? exhausted.MaxBy(h => h.Wait)
            : all.Count > 0 ? all.MinBy(h => h.Wait)
            : null;
    }

    /// <summary>An RFC 3339 time (Anthropic) or a Go-style duration (OpenAI).</summary>
    private static TimeSpan? ParseReset(string text, DateTimeOffset now) =>
        GoDuration.TryParse(text, out TimeSpan duration) ? duration
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at) ? at - now
        : null;

    /// <summary>"120s" as the header said it (not "2m"), so the reason quotes the provider.</summary>
    private static string Seconds(TimeSpan wait) => wait.Ticks % TimeSpan.TicksPerSecond == 0
        ? ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
        : DurationText.Format(wait);

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

    private static TimeSpan Clamp(TimeSpan value) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > Maximum ? Maximum : value;
}

/// <summary>Go's duration text as OpenAI sends it: "6m0s", "1s", "20ms", "1h2m3.5s", "250us".</summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        ReadOnlySpan<char> s = (text ?? string.Empty).AsSpan().Trim();
        if (s.IsEmpty || s.Length > 64)
        {
            return false;
        }

        double ticks = 0;
        while (!s.IsEmpty)
        {
            int digits = 0;
            while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.'))
            {
                digits++;
            }

            int unit = digits;
            while (unit < s.Length && !char.IsAsciiDigit(s[unit]) && s[unit] != '.')
            {
                unit++;
            }

            if (digits == 0 || unit == digits
                || !double.TryParse(s[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)
                || UnitTicks(s[digits..unit]) is not { } per)
            {
                return false;
            }

            ticks += number * per;
            s = s[unit..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks / 2)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    private static double? UnitTicks(ReadOnlySpan<char> unit) => unit switch
    {
        "h" => TimeSpan.TicksPerHour,
        "m" => TimeSpan.TicksPerMinute,
        "s" => TimeSpan.TicksPerSecond,
        "ms" => TimeSpan.TicksPerMillisecond,
        "us" or "µs" => TimeSpan.TicksPerMicrosecond,
        "ns" => TimeSpan.TicksPerMicrosecond / 1000.0,
        _ => null,
    };
}
