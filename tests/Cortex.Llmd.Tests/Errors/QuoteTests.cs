using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Tests.Errors;

/// <summary>The one helper that bounds echoed text: clipped quotes, and whole messages under 4 KiB as sent.</summary>
public class QuoteTests
{
    [Test]
    public void Of_ShortValue_IsQuotedWhole() => Assert.That(Quote.Of("fast"), Is.EqualTo("'fast'"));

    [Test]
    public void Of_LongValue_KeepsTheFirst200CharactersAndAnEllipsis() =>
        Assert.That(Quote.Of(new string('r', 3_000_000)), Is.EqualTo("'" + new string('r', 200) + "...'"));

    [Test]
    public void Clip_CutInsideASurrogatePair_KeepsThePairWhole()
    {
        string value = new string('a', 199) + "😀" + "tail";

        Assert.That(Quote.Clip(value), Is.EqualTo(new string('a', 199) + "..."));
    }

    [TestCase("plain ascii", 11)]
    [TestCase("100%", 6)]
    [TestCase("é", 6)]
    [TestCase("😀", 12)]
    [TestCase("a\nb", 5)]
    public void EncodedSize_CountsPercentEncodingAsGrpcSendsIt(string text, int size) =>
        Assert.That(Quote.EncodedSize(text), Is.EqualTo(size));

    [Test]
    public void Message_ShortMessage_IsTheSameInstance()
    {
        string message = "unknown route 'x'";

        Assert.That(Quote.Message(message), Is.SameAs(message));
    }

    [TestCase("x")]
    [TestCase("é")]
    [TestCase("😀")]
    public void Message_HugeMessage_IsCutUnder4KiBAsSentWithAnEllipsis(string unit)
    {
        string huge = string.Concat(Enumerable.Repeat(unit, 1_000_000));

        string bounded = Quote.Message(huge);

        Assert.That(Quote.EncodedSize(bounded), Is.InRange(Quote.MaxMessageBytes - 12, Quote.MaxMessageBytes));
        Assert.That(bounded, Does.EndWith(unit + Quote.Ellipsis), "cut on a character boundary");
    }

    [Test]
    public void AttemptSummary_ManyAttemptsWithLongReasons_StaysUnderTheBoundAndCountsTheRest()
    {
        var attempts = Enumerable.Range(0, 50).Select(i => new Attempt
        {
            Provider = "p" + i, Model = "m", Outcome = AttemptOutcome.Error, Reason = new string('e', 400),
        }).ToList();

        string text = AttemptSummary.Describe("all 50 attempts failed", attempts);

        Assert.That(Quote.EncodedSize(text), Is.LessThan(Quote.MaxMessageBytes));
        Assert.That(text, Does.StartWith("all 50 attempts failed: p0/m Error: " + new string('e', 200) + "..."));
        Assert.That(text, Does.Match(@"; \.\.\. \(\d+ more in the attempt log\)$"));
    }
}
