using System.Buffers;
using Cortex.Llm.Wire;

namespace Cortex.Llmd.Tests.Wire;

public class GrpcProtocolTests
{
    [TestCase("application/grpc", true)]
    [TestCase("application/grpc+proto", true)]
    [TestCase("application/grpc; charset=utf-8", true)]
    [TestCase("application/grpc+proto;x=y", true)]
    [TestCase("APPLICATION/GRPC", true)]
    [TestCase("application/grpc+json", false)]
    [TestCase("application/json", false)]
    [TestCase("application/grpc-web", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsGrpcContentType_Value_AcceptsOnlyProtobufGrpc(string? contentType, bool expected)
    {
        Assert.That(GrpcProtocol.IsGrpcContentType(contentType), Is.EqualTo(expected));
    }

    [TestCase(false, 0, new byte[] { 0, 0, 0, 0, 0 })]
    [TestCase(false, 258, new byte[] { 0, 0, 0, 1, 2 })]
    [TestCase(true, 0x01020304, new byte[] { 1, 1, 2, 3, 4 })]
    public void WriteHeader_FlagAndLength_WritesBigEndianPrefix(bool compressed, int length, byte[] expected)
    {
        byte[] header = new byte[5];
        GrpcFrame.WriteHeader(header, compressed, length);
        Assert.That(header, Is.EqualTo(expected));
    }

    [Test]
    public void TryReadHeader_FewerThanFiveBytes_ReturnsFalse()
    {
        Assert.That(GrpcFrame.TryReadHeader(new ReadOnlySequence<byte>(new byte[4]), out _), Is.False);
    }

    [TestCase(new byte[] { 0, 0, 0, 0, 7 }, 0, 7u, true)]
    [TestCase(new byte[] { 1, 255, 255, 255, 255, 9 }, 1, uint.MaxValue, true)]
    [TestCase(new byte[] { 2, 0, 0, 0, 1 }, 2, 1u, false)]
    public void TryReadHeader_FiveOrMoreBytes_DecodesFlagAndLength(byte[] bytes, int flag, uint length, bool validFlag)
    {
        Assert.That(GrpcFrame.TryReadHeader(new ReadOnlySequence<byte>(bytes), out FrameHeader header), Is.True);
        Assert.That(header.Flag, Is.EqualTo(flag));
        Assert.That(header.Length, Is.EqualTo(length));
        Assert.That(header.IsValidFlag, Is.EqualTo(validFlag));
    }

    [TestCase(GrpcStatusCode.OK, "OK")]
    [TestCase(GrpcStatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [TestCase(GrpcStatusCode.Unauthenticated, "UNAUTHENTICATED")]
    [TestCase((GrpcStatusCode)42, "CODE_42")]
    public void ToWireName_Code_ReturnsCanonicalName(GrpcStatusCode code, string expected)
    {
        Assert.That(code.ToWireName(), Is.EqualTo(expected));
    }
}
