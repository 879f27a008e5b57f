using Cortex.Llm.Wire;

namespace Cortex.Llmd.Tests.Wire;

public class BinaryMetadataTests
{
    [TestCase(new byte[] { 0 }, "AA")]
    [TestCase(new byte[] { 0, 255 }, "AP8")]
    [TestCase(new byte[] { 1, 2, 3 }, "AQID")]
    public void Encode_Bytes_OmitsPadding(byte[] value, string expected)
    {
        Assert.That(BinaryMetadata.Encode(value), Is.EqualTo(expected));
    }

    [TestCase("AA", new byte[] { 0 })]
    [TestCase("AA==", new byte[] { 0 })]
    [TestCase("AP8", new byte[] { 0, 255 })]
    [TestCase("AP8=", new byte[] { 0, 255 })]
    [TestCase("AQID", new byte[] { 1, 2, 3 })]
    public void TryDecode_PaddedOrUnpadded_ReturnsBytes(string value, byte[] expected)
    {
        Assert.That(BinaryMetadata.TryDecode(value, out byte[] bytes), Is.True);
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [TestCase("A")]
    [TestCase("!!!!")]
    public void TryDecode_NotBase64_ReturnsFalse(string value)
    {
        Assert.That(BinaryMetadata.TryDecode(value, out _), Is.False);
    }

    [TestCase("x-trace-bin", true)]
    [TestCase("X-Trace-BIN", true)]
    [TestCase("x-binary", false)]
    public void IsBinaryKey_Key_ChecksSuffix(string key, bool expected)
    {
        Assert.That(BinaryMetadata.IsBinaryKey(key), Is.EqualTo(expected));
    }
}
