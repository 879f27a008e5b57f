using System.Globalization;
using System.Net.Http.Headers;

namespace Cortex.Llmd.Providers.Http;

/// <summary>Reads how long a provider asked us to wait: Retry-After (seconds or HTTP date) or retry-after-ms.</summary>
public static class RetryAfter
{
    public static readonly TimeSpan Maximum = TimeSpan.FromMinutes(10);

    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValues("retry-after-ms", out IEnumerable<string>? ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double millis) && millis >= 0)
        {
            return Clamp(TimeSpan.FromMilliseconds(millis));
        }

        RetryConditionHeaderValue? value = headers.RetryAfter;
        if (value?.Delta is { } delta)
        {
            return Clamp(delta);
        }

        return value?.Date is { } date ? Clamp(date - now) : null;
    }

    private static TimeSpan Clamp(TimeSpan value) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > Maximum ? Maximum : value;
}
