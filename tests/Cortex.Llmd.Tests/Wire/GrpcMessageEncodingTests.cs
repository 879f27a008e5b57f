using Cortex.Llm.Wire;

namespace Cortex.Llmd.Tests.Wire;

public class GrpcMessageEncodingTests
{
    [TestCase("plain ascii", "plain ascii")]
    [TestCase("100%", "100%25")]
    [TestCase("line\nbreak", "line%0Abreak")]
    [TestCase("caf\u00e9", "caf%C3%A9")]
    [TestCase("\u6a21\u578b", "%E6%A8%A1%E5%9E%8B")]
    [TestCase("tab\t~", "tab%09~")]
    [TestCase("", "")]
    public void Encode_Text_PercentEncodesOutsidePrintableAscii(string text, string expected)
    {
        Assert.That(GrpcMessageEncoding.Encode(text), Is.EqualTo(expected));
    }

    [TestCase("caf%C3%A9", "caf\u00e9")]
    [TestCase("caf%c3%a9", "caf\u00e9")]
    [TestCase("50%", "50%")]
    [TestCase("bad %ZZ escape", "bad %ZZ escape")]
    [TestCase("%4", "%4")]
    [TestCase(null, "")]
    public void Decode_Value_DecodesValidEscapesAndKeepsBrokenOnes(string? value, string expected)
    {
        Assert.That(GrpcMessageEncoding.Decode(value), Is.EqualTo(expected));
    }

    [Test]
    public void Encode_ThenDecode_RoundTripsAnyUnicode()
    {
        const string text = "d\u00e9j\u00e0 vu \u2014 \ud83d\ude80 100% \r\n";
        Assert.That(GrpcMessageEncoding.Decode(GrpcMessageEncoding.Encode(text)), Is.EqualTo(text));
    }
}
