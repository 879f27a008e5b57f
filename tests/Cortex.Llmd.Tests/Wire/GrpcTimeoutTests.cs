using Cortex.Llm.Wire;

namespace Cortex.Llmd.Tests.Wire;

public class GrpcTimeoutTests
{
    private static readonly object[] ValidCases =
    [
        new object[] { "1H", TimeSpan.FromHours(1) },
        new object[] { "2M", TimeSpan.FromMinutes(2) },
        new object[] { "3S", TimeSpan.FromSeconds(3) },
        new object[] { "250m", TimeSpan.FromMilliseconds(250) },
        new object[] { "1500u", TimeSpan.FromMicroseconds(1500) },
        new object[] { "1000n", TimeSpan.FromTicks(10) },
        new object[] { "1n", TimeSpan.FromTicks(1) },
        new object[] { "0S", TimeSpan.Zero },
        new object[] { "99999999m", TimeSpan.FromMilliseconds(99_999_999) },
        new object[] { "99999999H", GrpcTimeout.Maximum },
    ];

    [TestCaseSource(nameof(ValidCases))]
    public void TryParse_ValidValue_ReturnsTimeout(string header, TimeSpan expected)
    {
        Assert.That(GrpcTimeout.TryParse(header, out TimeSpan timeout), Is.True);
        Assert.That(timeout, Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("S")]
    [TestCase("10")]
    [TestCase("10x")]
    [TestCase("-1S")]
    [TestCase("+1S")]
    [TestCase("1.5S")]
    [TestCase(" 1S")]
    [TestCase("123456789S")]
    [TestCase("10s")]
    public void TryParse_InvalidValue_ReturnsFalse(string? header)
    {
        Assert.That(GrpcTimeout.TryParse(header, out _), Is.False);
    }

    [TestCase(0L, "0u")]
    [TestCase(1_500L, "1500u")]
    [TestCase(99_999_999L, "99999999u")]
    [TestCase(100_000_000L, "100000m")]
    [TestCase(100_000_000_000L, "100000S")]
    public void Format_Duration_UsesFinestUnitThatFits(long micros, string expected)
    {
        Assert.That(GrpcTimeout.Format(TimeSpan.FromMicroseconds(micros)), Is.EqualTo(expected));
    }

    [Test]
    public void Format_ThenParse_RoundTripsToTheUnitsPrecision()
    {
        TimeSpan original = TimeSpan.FromMilliseconds(12_345);
        Assert.That(GrpcTimeout.TryParse(GrpcTimeout.Format(original), out TimeSpan parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(original));
    }
}
