using System.Net.Http.Headers;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Tests.Providers.Http;

/// <summary>How long a provider asked us to wait, from each header it may use, and which header said so.</summary>
public class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(params (string Name, string Value)[] values)
    {
        using var response = new HttpResponseMessage();
        foreach ((string name, string value) in values)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response.Headers;
    }

    [TestCase("6m0s", 360_000)]
    [TestCase("1s", 1_000)]
    [TestCase("20ms", 20)]
    [TestCase("1h2m3.5s", 3_723_500)]
    [TestCase("250us", 0.25)]
    [TestCase("0.5s", 500)]
    public void GoDuration_OpenAiForms_Parse(string text, double millis)
    {
        Assert.That(GoDuration.TryParse(text, out TimeSpan value), Is.True);
        Assert.That(value.TotalMilliseconds, Is.EqualTo(millis).Within(0.001));
    }

    [TestCase("")]
    [TestCase("5")]
    [TestCase("s")]
    [TestCase("5x")]
    [TestCase("2026-12-02T08:00:00Z")]
    public void GoDuration_NotADuration_IsRejected(string text) =>
        Assert.That(GoDuration.TryParse(text, out _), Is.False);

    [Test]
    public void Read_RetryAfterSeconds_WinsOverResetHeaders()
    {
        WaitHint? hint = RetryAfter.Read(Headers(("Retry-After", "120"), ("x-ratelimit-reset-requests", "6m0s")), Now, rateLimited: true);

        Assert.That(hint, Is.EqualTo(new WaitHint(TimeSpan.FromSeconds(120), "Retry-After 120s")));
    }

    [Test]
    public void Read_RetryAfterHttpDate_IsTheTimeUntilThen()
    {
        WaitHint? hint = RetryAfter.Read(Headers(("Retry-After", "Wed, 02 Dec 2026 08:01:30 GMT")), Now, rateLimited: true);

        Assert.That(hint?.Wait, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public void Read_AnthropicResetOfExhaustedLimit_IsUsed()
    {
        WaitHint? hint = RetryAfter.Read(Headers(
            ("anthropic-ratelimit-requests-remaining", "12"), ("anthropic-ratelimit-requests-reset", "2026-12-02T08:00:05Z"),
            ("anthropic-ratelimit-tokens-remaining", "0"), ("anthropic-ratelimit-tokens-reset", "2026-12-02T08:00:42Z")), Now, rateLimited: true);

        Assert.That(hint, Is.EqualTo(new WaitHint(TimeSpan.FromSeconds(42), "anthropic-ratelimit-tokens-reset 2026-12-02T08:00:42Z")));
    }

    [Test]
    public void Read_ResetsWithoutAnExhaustedLimit_TakesTheEarliest()
    {
        WaitHint? hint = RetryAfter.Read(Headers(("x-ratelimit-reset-requests", "6m0s"), ("x-ratelimit-reset-tokens", "20ms")), Now, rateLimited: true);

        Assert.That(hint?.Wait, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
    }

    [Test]
    public void Read_ResetHeadersOnAnAnswerThatWasNotA429_AreIgnored() =>
        Assert.That(RetryAfter.Read(Headers(("x-ratelimit-reset-requests", "6m0s")), Now, rateLimited: false), Is.Null);

    [Test]
    public void Read_RetryAfterOfAWeek_IsClampedToADay() =>
        Assert.That(RetryAfter.Read(Headers(("Retry-After", "604800")), Now, rateLimited: true)?.Wait, Is.EqualTo(RetryAfter.Maximum));
}
