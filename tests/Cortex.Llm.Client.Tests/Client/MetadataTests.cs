using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class MetadataTests
{
    [Test]
    public void Add_MixedCaseKey_StoresLowercase()
    {
        var metadata = new Metadata { { "X-Tenant", "acme" } };

        Assert.That(metadata[0].Key, Is.EqualTo("x-tenant"));
    }

    [Test]
    public void Add_BinaryValue_KeepsBytesAndUnpaddedBase64()
    {
        var metadata = new Metadata { { "x-id-bin", new byte[] { 0xFF, 0x00 } } };

        Assert.Multiple(() =>
        {
            Assert.That(metadata.GetBytes("x-id-bin"), Is.EqualTo(new byte[] { 0xFF, 0x00 }));
            Assert.That(metadata[0].Value, Is.EqualTo("/wA"));
            Assert.That(metadata[0].IsBinary, Is.True);
        });
    }

    [TestCase("x-note", "caf\u00e9", TestName = "Add_NonAsciiTextValue_Throws")]
    [TestCase("x-note", "line\nbreak", TestName = "Add_ControlCharacterValue_Throws")]
    [TestCase("x-note-bin", "text", TestName = "Add_TextValueForBinKey_Throws")]
    [TestCase("grpc-status", "0", TestName = "Add_ReservedGrpcKey_Throws")]
    [TestCase("bad key", "v", TestName = "Add_KeyWithSpace_Throws")]
    public void Add_InvalidTextEntry_Throws(string key, string value)
    {
        var metadata = new Metadata();

        Assert.Throws<ArgumentException>(() => metadata.Add(key, value));
    }

    [Test]
    public void Add_BytesForTextKey_Throws()
    {
        var metadata = new Metadata();

        Assert.Throws<ArgumentException>(() => metadata.Add("x-note", new byte[] { 1 }));
    }
}
