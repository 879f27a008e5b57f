using System.Net;
using Cortex.Llm.Wire;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class StatusMappingTests
{
    [TestCase(400, GrpcStatusCode.Internal)]
    [TestCase(401, GrpcStatusCode.Unauthenticated)]
    [TestCase(403, GrpcStatusCode.PermissionDenied)]
    [TestCase(404, GrpcStatusCode.Unimplemented)]
    [TestCase(429, GrpcStatusCode.Unavailable)]
    [TestCase(502, GrpcStatusCode.Unavailable)]
    [TestCase(503, GrpcStatusCode.Unavailable)]
    [TestCase(504, GrpcStatusCode.Unavailable)]
    [TestCase(500, GrpcStatusCode.Unknown)]
    [TestCase(200, GrpcStatusCode.Unknown)]
    public void FromHttpStatus_Code_MapsPerGrpcSpec(int http, GrpcStatusCode expected)
    {
        Assert.That(StatusMapping.FromHttpStatus((HttpStatusCode)http), Is.EqualTo(expected));
    }

    [TestCase(0x8, GrpcStatusCode.Cancelled)]
    [TestCase(0x7, GrpcStatusCode.Unavailable)]
    [TestCase(0xB, GrpcStatusCode.ResourceExhausted)]
    [TestCase(0x2, GrpcStatusCode.Internal)]
    public void FromHttp2Error_ResetCode_MapsPerGrpcSpec(long code, GrpcStatusCode expected)
    {
        Assert.That(StatusMapping.FromHttp2Error(code), Is.EqualTo(expected));
    }
}
