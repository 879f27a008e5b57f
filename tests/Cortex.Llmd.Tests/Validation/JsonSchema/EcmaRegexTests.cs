using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>Where ECMA-262 and .NET disagree, patterns must behave the ECMA way.</summary>
public class EcmaRegexTests
{
    [TestCase("^a$", "a", true)]
    [TestCase("^a$", "a\n", false)]
    [TestCase("a\\$", "a$", true)]
    [TestCase("[$]", "$", true)]
    [TestCase("^\\d+$", "123", true)]
    [TestCase("^\\d+$", "١٢٣", false)]
    [TestCase("^[\\d.]+$", "1.5", true)]
    [TestCase("^\\D$", "x", true)]
    [TestCase("^\\w+$", "abc_1", true)]
    [TestCase("^\\w+$", "é", false)]
    [TestCase("^\\W$", "é", true)]
    [TestCase("^.$", "😀", true)]
    [TestCase("^.$", "\n", false)]
    [TestCase("^.$", "\u2028", false)]
    [TestCase("^.{2}$", "😀x", true)]
    [TestCase("^[.]$", "x", false)]
    [TestCase("^\\p{Letter}+$", "πa", true)]
    [TestCase("^\\p{Letter}+$", "123", false)]
    [TestCase("^\\P{Letter}+$", "123", true)]
    [TestCase("^\\p{Lu}$", "A", true)]
    [TestCase("^\\p{gc=Uppercase_Letter}$", "a", false)]
    [TestCase("^\\p{General_Category=Decimal_Number}$", "٣", true)]
    [TestCase("^[^]$", "\n", true)]
    [TestCase("a[]", "a", false)]
    [TestCase("b+", "abbc", true)]
    public void Create_EcmaPattern_MatchesLikeEcma262(string pattern, string input, bool expected)
    {
        Assert.That(EcmaRegex.Create(pattern).IsMatch(input), Is.EqualTo(expected));
    }

    [TestCase("(")]
    [TestCase("[a-")]
    [TestCase("\\p{NotAProperty}")]
    [TestCase("a{2,1}")]
    public void Create_InvalidPattern_ThrowsArgumentException(string pattern)
    {
        Assert.That(() => EcmaRegex.Create(pattern), Throws.InstanceOf<ArgumentException>());
    }
}
