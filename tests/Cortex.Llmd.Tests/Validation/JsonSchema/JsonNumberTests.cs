using System.Text;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

public class JsonNumberTests
{
    private static JsonNumber N(string text) => JsonNumber.Parse(Encoding.UTF8.GetBytes(text));

    [TestCase("1", "1.0", 0)]
    [TestCase("100", "1e2", 0)]
    [TestCase("0", "-0.0", 0)]
    [TestCase("0.1", "1e-1", 0)]
    [TestCase("2", "10", -1)]
    [TestCase("0.123", "0.13", -1)]
    [TestCase("12", "123", -1)]
    [TestCase("-12", "-123", 1)]
    [TestCase("-1", "0", -1)]
    [TestCase("9007199254740992", "9007199254740993", -1)]
    [TestCase("1e400", "1e308", 1)]
    [TestCase("-1e400", "-1e308", -1)]
    [TestCase("1e-400", "0", 1)]
    [TestCase("1E+2", "99.99999999999999999999999", 1)]
    [TestCase("1e99999999999999999999", "1e400", 1)]
    public void CompareTo_TwoNumbers_OrdersByExactValue(string left, string right, int expected)
    {
        Assert.That(N(left).CompareTo(N(right)), Is.EqualTo(expected));
        Assert.That(N(right).CompareTo(N(left)), Is.EqualTo(-expected));
        Assert.That(N(left) == N(right), Is.EqualTo(expected == 0));
    }

    [TestCase("1.0", "1", 0L)]
    [TestCase("-12.340e+5", "1234", 3L)]
    [TestCase("0.00", "", 0L)]
    [TestCase("1e-5", "1", -5L)]
    [TestCase("120", "12", 1L)]
    public void Parse_NumberText_NormalisesDigitsAndExponent(string text, string digits, long exponent)
    {
        JsonNumber number = N(text);

        Assert.That((number.Digits, number.Exponent), Is.EqualTo((digits, exponent)));
    }

    [TestCase("1.0", true)]
    [TestCase("1.5", false)]
    [TestCase("1.5e1", true)]
    [TestCase("15e-1", false)]
    [TestCase("0.0", true)]
    [TestCase("1e400", true)]
    public void IsIntegral_Number_IgnoresNotation(string text, bool expected)
    {
        Assert.That(N(text).IsIntegral, Is.EqualTo(expected));
    }

    [TestCase("1e28", false)]
    [TestCase("9999999999999999999999999999", true)]
    [TestCase("0.1234567890123456789012345678", true)]
    [TestCase("0.12345678901234567890123456789", false)]
    [TestCase("1e-29", false)]
    public void TryGetDecimal_Number_RefusesAnythingItWouldRound(string text, bool fits)
    {
        Assert.That(N(text).TryGetDecimal(out decimal value), Is.EqualTo(fits));
        if (fits)
        {
            Assert.That(value, Is.EqualTo(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [TestCase("10", "2.5", true)]
    [TestCase("10", "3", false)]
    [TestCase("4.5", "1.5", true)]
    [TestCase("1", "10", false)]
    [TestCase("100", "20", true)]
    [TestCase("10", "20", false)]
    [TestCase("0", "7", true)]
    [TestCase("-21", "7", true)]
    [TestCase("1e50", "3", false)]
    [TestCase("3e50", "3", true)]
    [TestCase("1e50", "1e-50", true)]
    [TestCase("1e308", "0.5", true)]
    [TestCase("123456789012345678901234567890", "10", true)]
    [TestCase("123456789012345678901234567891", "10", false)]
    public void IsMultipleOf_TwoNumbers_IsExact(string value, string divisor, bool expected)
    {
        Assert.That(N(value).IsMultipleOf(N(divisor)), Is.EqualTo(expected));
    }

    [TestCase("1e400", double.PositiveInfinity)]
    [TestCase("-1e400", double.NegativeInfinity)]
    [TestCase("1e-400", 0.0)]
    [TestCase("-2.5", -2.5)]
    public void ToDouble_OutOfRange_SaturatesInsteadOfThrowing(string text, double expected)
    {
        Assert.That(N(text).ToDouble(), Is.EqualTo(expected));
    }
}
