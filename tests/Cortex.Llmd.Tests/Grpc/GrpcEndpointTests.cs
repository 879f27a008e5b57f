using System.IO.Compression;
using System.Net;
using Cortex.Llm.Wire;
using Google.Protobuf;
using Cortex.Llmd.Grpc;
using Cortex.Llmd.Tests.Support;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Cortex.Llmd.Tests.Grpc;

/// <summary>Every wire rule against the real endpoint, one table row per malformed or edge-case request.</summary>
public class GrpcEndpointTests
{
    private const string Echo = "/test.Echo/Echo";
    private GrpcTestServer _server = null!;
    private RawGrpcClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await GrpcTestServer.StartAsync(
            registry =>
            {
                registry.AddUnary<HealthCheckRequest, HealthCheckRequest>("test.Echo", "Echo", HealthCheckRequest.Parser, (r, _) => Task.FromResult(r));
                registry.AddUnary<HealthCheckRequest, HealthCheckRequest>("test.Echo", "Throw", HealthCheckRequest.Parser,
                    (_, _) => throw new InvalidOperationException("secret stack detail"));
                registry.AddUnary<HealthCheckRequest, HealthCheckRequest>("test.Echo", "Fail", HealthCheckRequest.Parser,
                    (_, _) => throw new RpcException(GrpcStatusCode.FailedPrecondition, "caf\u00e9 not ready"));
                registry.AddUnary<HealthCheckRequest, HealthCheckRequest>("test.Echo", "Slow", HealthCheckRequest.Parser, async (r, call) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), call.CancellationToken);
                    return r;
                });
                registry.AddServerStreaming<HealthCheckRequest, HealthCheckRequest>("test.Echo", "Stream", HealthCheckRequest.Parser, async (r, writer, call) =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        await writer.WriteAsync(r, call.CancellationToken);
                    }

                    throw new RpcException(GrpcStatusCode.Aborted, "after three");
                });
            },
            new GrpcServerOptions { MaxReceiveMessageSize = 1024 });
        _client = new RawGrpcClient(_server.SocketPath);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static byte[] ValidBody => RawGrpcClient.Frame(new HealthCheckRequest { Service = "svc" });

    public static IEnumerable<TestCaseData> RejectedRequests()
    {
        byte[] valid = ValidBody;
        yield return new TestCaseData(Echo, valid, "application/json", 415, GrpcStatusCode.Internal, "Content-Type 'application/json' is not supported")
            .SetName("HandleAsync_JsonContentType_Returns415Internal");
        yield return new TestCaseData(Echo, valid, "application/grpc+json", 415, GrpcStatusCode.Internal, "not supported")
            .SetName("HandleAsync_GrpcJsonSubtype_Returns415Internal");
        yield return new TestCaseData("/test.Echo/Missing", valid, "application/grpc", 200, GrpcStatusCode.Unimplemented, "Method is unimplemented")
            .SetName("HandleAsync_UnknownMethod_ReturnsUnimplemented");
        yield return new TestCaseData("/no.Such/Service", valid, "application/grpc", 200, GrpcStatusCode.Unimplemented, "Service is unimplemented: no.Such")
            .SetName("HandleAsync_UnknownService_ReturnsUnimplemented");
        yield return new TestCaseData(Echo, new byte[] { 0, 0, 0x10, 0, 0 }, "application/grpc", 200, GrpcStatusCode.ResourceExhausted, "larger than max (1048576 vs. 1024)")
            .SetName("HandleAsync_HeaderAnnouncesOversizeMessage_ReturnsResourceExhaustedBeforeBuffering");
        yield return new TestCaseData(Echo, new byte[] { 0, 0, 0, 0, 100, 1, 2, 3 }, "application/grpc", 200, GrpcStatusCode.Internal, "Incomplete message")
            .SetName("HandleAsync_TruncatedMessage_ReturnsInternal");
        yield return new TestCaseData(Echo, new byte[] { 0, 0, 0 }, "application/grpc", 200, GrpcStatusCode.Internal, "Incomplete message")
            .SetName("HandleAsync_TruncatedHeader_ReturnsInternal");
        yield return new TestCaseData(Echo, Array.Empty<byte>(), "application/grpc", 200, GrpcStatusCode.Internal, "did not include a message")
            .SetName("HandleAsync_EmptyBody_ReturnsInternal");
        yield return new TestCaseData(Echo, valid.Concat(new byte[] { 0, 0 }).ToArray(), "application/grpc", 200, GrpcStatusCode.Internal, "Additional data")
            .SetName("HandleAsync_SurplusBytes_ReturnsInternal");
        yield return new TestCaseData(Echo, valid.Concat(valid).ToArray(), "application/grpc", 200, GrpcStatusCode.Internal, "Additional data")
            .SetName("HandleAsync_TwoMessagesInUnaryCall_ReturnsInternal");
        yield return new TestCaseData(Echo, RawGrpcClient.Frame(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }), "application/grpc", 200, GrpcStatusCode.InvalidArgument, "not valid protobuf")
            .SetName("HandleAsync_UnparsableProtobuf_ReturnsInvalidArgument");
        yield return new TestCaseData(Echo, RawGrpcClient.Frame(new byte[] { 1, 2, 3 }, compressed: true), "application/grpc", 200, GrpcStatusCode.Internal, "without a grpc-encoding")
            .SetName("HandleAsync_CompressedFlagWithoutEncoding_ReturnsInternal");
        yield return new TestCaseData(Echo, new byte[] { 2, 0, 0, 0, 0 }, "application/grpc", 200, GrpcStatusCode.Internal, "Invalid compressed flag 2")
            .SetName("HandleAsync_InvalidFlagByte_ReturnsInternal");
    }

    [TestCaseSource(nameof(RejectedRequests))]
    public async Task HandleAsync_BadRequest_ReturnsPreciseStatus(string path, byte[] body, string contentType, int httpStatus, GrpcStatusCode status, string messagePart)
    {
        RawResponse response = await _client.SendAsync(path, body, contentType);

        Assert.That((int)response.HttpStatus, Is.EqualTo(httpStatus));
        Assert.That(response.Status, Is.EqualTo(status));
        Assert.That(response.Message, Does.Contain(messagePart));
        Assert.That(response.Messages, Is.Empty);
    }

    [Test]
    public async Task HandleAsync_ValidUnary_ReturnsMessageThenOkTrailers()
    {
        RawResponse response = await _client.SendAsync(Echo, ValidBody, "application/grpc+proto; charset=utf-8");

        Assert.That(response.HttpStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.ContentHeaders.ContentType?.MediaType, Is.EqualTo("application/grpc"));
        Assert.That(response.Messages, Has.Count.EqualTo(1));
        Assert.That(HealthCheckRequest.Parser.ParseFrom(response.Messages[0]).Service, Is.EqualTo("svc"));
        Assert.That(response.Trailers.GetValues("grpc-status").Single(), Is.EqualTo("0"));
    }

    [Test]
    public async Task HandleAsync_GzipMessageWithGzipEncoding_Decompresses()
    {
        byte[] payload = new HealthCheckRequest { Service = "zipped" }.ToByteArray();
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(payload);
        }

        RawResponse response = await _client.SendAsync(Echo, RawGrpcClient.Frame(buffer.ToArray(), compressed: true), headers: [new("grpc-encoding", "gzip")]);

        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.OK));
        Assert.That(HealthCheckRequest.Parser.ParseFrom(response.Messages[0]).Service, Is.EqualTo("zipped"));
    }

    [Test]
    public async Task HandleAsync_CompressedWithUnknownEncoding_ReturnsUnimplementedAndAcceptEncoding()
    {
        RawResponse response = await _client.SendAsync(Echo, RawGrpcClient.Frame(new byte[] { 1 }, compressed: true), headers: [new("grpc-encoding", "snappy")]);

        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.Unimplemented));
        Assert.That(response.Message, Does.Contain("snappy"));
        Assert.That(response.Value("grpc-accept-encoding"), Is.EqualTo("identity,gzip"));
    }

    [Test]
    public async Task HandleAsync_HandlerThrows_ReturnsUnknownWithoutDetails()
    {
        RawResponse response = await _client.SendAsync("/test.Echo/Throw", ValidBody);

        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.Unknown));
        Assert.That(response.Message, Does.Not.Contain("secret"));
        Assert.That(response.Message, Does.Not.Contain(" at "));
    }

    [Test]
    public async Task HandleAsync_RpcExceptionBeforeMessages_SendsTrailersOnlyWithEncodedMessage()
    {
        RawResponse response = await _client.SendAsync("/test.Echo/Fail", ValidBody);

        Assert.That(response.Headers.GetValues("grpc-status").Single(), Is.EqualTo("9"));
        Assert.That(response.Headers.GetValues("grpc-message").Single(), Is.EqualTo("caf%C3%A9 not ready"));
        Assert.That(response.Trailers.Contains("grpc-status"), Is.False);
        Assert.That(response.Message, Is.EqualTo("caf\u00e9 not ready"));
    }

    [Test]
    public async Task HandleAsync_StreamFailsAfterMessages_SendsMessagesThenErrorTrailers()
    {
        RawResponse response = await _client.SendAsync("/test.Echo/Stream", ValidBody);

        Assert.That(response.Messages, Has.Count.EqualTo(3));
        Assert.That(response.Trailers.GetValues("grpc-status").Single(), Is.EqualTo("10"));
        Assert.That(response.Headers.Contains("grpc-status"), Is.False);
    }

    [TestCase("100m")]
    [TestCase("100000u")]
    [TestCase("99999999n")]
    public async Task HandleAsync_TimeoutShorterThanHandler_ReturnsDeadlineExceeded(string timeout)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        RawResponse response = await _client.SendAsync("/test.Echo/Slow", ValidBody, headers: [new("grpc-timeout", timeout)]);

        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.DeadlineExceeded));
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [TestCase("garbage")]
    [TestCase("10x")]
    [TestCase("123456789S")]
    public async Task HandleAsync_InvalidTimeout_IsIgnored(string timeout)
    {
        RawResponse response = await _client.SendAsync(Echo, ValidBody, headers: [new("grpc-timeout", timeout)]);

        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.OK));
    }

    [Test]
    public async Task HandleAsync_PutRequest_ReturnsUnimplemented()
    {
        RawResponse response = await _client.SendAsync(Echo, ValidBody, method: HttpMethod.Put);

        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.Unimplemented));
    }

    [Test]
    public async Task HandleAsync_GetWithoutContentType_Returns415()
    {
        RawResponse response = await _client.SendAsync(Echo, [], method: HttpMethod.Get);

        Assert.That((int)response.HttpStatus, Is.EqualTo(415));
        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.Internal));
    }

    [Test]
    public async Task HandleAsync_Http11Request_Returns426WithInternalStatus()
    {
        await using GrpcTestServer http1 = await GrpcTestServer.StartAsync(_ => { }, protocols: HttpProtocols.Http1AndHttp2);
        using var client = new RawGrpcClient(http1.SocketPath, HttpVersion.Version11);

        RawResponse response = await client.SendAsync(Echo, ValidBody);

        Assert.That(response.HttpStatus, Is.EqualTo(HttpStatusCode.UpgradeRequired));
        Assert.That(response.Status, Is.EqualTo(GrpcStatusCode.Internal));
        Assert.That(response.Message, Does.Contain("HTTP/2"));
    }
}
