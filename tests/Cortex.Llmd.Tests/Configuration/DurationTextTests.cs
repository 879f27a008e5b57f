using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Tests.Configuration;

public class DurationTextTests
{
    [TestCase("0", 0L)]
    [TestCase("250ms", 250L)]
    [TestCase("1.5s", 1500L)]
    [TestCase("8s", 8000L)]
    [TestCase("2m", 120_000L)]
    [TestCase("1h", 3_600_000L)]
    [TestCase("1d", 86_400_000L)]
    [TestCase(" 30s ", 30_000L)]
    public void TryParse_ValidText_ReturnsDuration(string text, long milliseconds)
    {
        Assert.That(DurationText.TryParse(text, out TimeSpan value), Is.True);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("")]
    [TestCase("10")]
    [TestCase("s")]
    [TestCase("-5s")]
    [TestCase("five seconds")]
    [TestCase("1w")]
    public void TryParse_InvalidText_ReturnsFalse(string text)
    {
        Assert.That(DurationText.TryParse(text, out _), Is.False);
    }

    [TestCase(0L, "0")]
    [TestCase(250L, "250ms")]
    [TestCase(8000L, "8s")]
    [TestCase(120_000L, "2m")]
    [TestCase(7_200_000L, "2h")]
    public void Format_Duration_UsesLargestWholeUnit(long milliseconds, string expected)
    {
        Assert.That(DurationText.Format(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(expected));
    }
}
