using System.Net;
using Cortex.Llm.V1;
using Cortex.Llm.Client;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>What the API doc promises of the gRPC layer, against the daemon as composed: wire edge cases, limits, reflection.</summary>
public class SocketServerTests
{
    private const string Complete = "/cortex.llm.v1.Router/Complete";
    private TestDaemon _daemon = null!;
    private RawGrpcClient _raw = null!;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _daemon = await TestDaemon.StartAsync();
        _raw = new RawGrpcClient(_daemon.SocketPath);
        _channel = CortexChannel.ForSocket(_daemon.SocketPath);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _channel.Dispose();
        _raw.Dispose();
        await _daemon.DisposeAsync();
    }

    private static CompleteRequest Ask(string prompt, string route = "") =>
        new() { Route = route, Messages = { new Message { Role = Role.User, Content = prompt } } };

    [Test]
    public async Task Complete_HeaderAnnouncesOversizeMessage_ReturnsResourceExhaustedWithoutTheBody()
    {
        // Only the 5-byte prefix is sent: it announces 16 MiB, over the 4 MiB default, so nothing is buffered.
        RawResponse response = await _raw.SendAsync(Complete, [0, 1, 0, 0, 0]);

        Assert.That(response.Status, Is.EqualTo(StatusCode.ResourceExhausted), response.Message);
        Assert.That(response.Messages, Is.Empty);
    }

    [Test]
    public async Task Complete_MessageOverConfiguredLimit_ReturnsResourceExhausted()
    {
        string json = await File.ReadAllTextAsync(TestDaemon.TestConfigPath);
        await using TestDaemon small = await TestDaemon.StartFromJsonAsync(json.Replace("\"logging\"", "\"server\": { \"maxReceiveMessageBytes\": 1024 }, \"logging\"", StringComparison.Ordinal));
        using GrpcChannel channel = CortexChannel.ForSocket(small.SocketPath);

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await new Router.RouterClient(channel).CompleteAsync(Ask(new string('x', 2000)))))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That((await new Router.RouterClient(channel).CompleteAsync(Ask("small"))).Content, Does.Contain("small"));
    }

    [TestCase("/cortex.llm.v1.Router/NoSuchMethod")]
    [TestCase("/no.such.Service/Call")]
    public async Task Call_UnknownServiceOrMethod_ReturnsUnimplemented(string path)
    {
        RawResponse response = await _raw.SendAsync(path, RawGrpcClient.Frame(Ask("x")));

        Assert.That(response.Status, Is.EqualTo(StatusCode.Unimplemented), response.Message);
    }

    public static IEnumerable<TestCaseData> BrokenBodies()
    {
        yield return new TestCaseData((object)RawGrpcClient.Frame([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])).SetName("Complete_UnparsableProtobuf_IsNotUnknown");
        yield return new TestCaseData((object)new byte[] { 0, 0, 0, 0, 100, 1, 2, 3 }).SetName("Complete_TruncatedMessage_IsNotUnknown");
        yield return new TestCaseData((object)new byte[] { 0, 0, 0 }).SetName("Complete_TruncatedPrefix_IsNotUnknown");
        yield return new TestCaseData((object)Array.Empty<byte>()).SetName("Complete_EmptyBody_IsNotUnknown");
        yield return new TestCaseData((object)RawGrpcClient.Frame([1, 2, 3], compressed: true)).SetName("Complete_CompressedWithoutEncoding_IsNotUnknown");
    }

    [TestCaseSource(nameof(BrokenBodies))]
    public async Task Complete_BrokenBody_AnswersInvalidArgumentOrInternal(byte[] body)
    {
        RawResponse response = await _raw.SendAsync(Complete, body);

        // UNKNOWN would say a handler crashed; a body that does not parse is the caller's error.
        Assert.That(response.Status, Is.AnyOf(StatusCode.InvalidArgument, StatusCode.Internal), response.Message);
        Assert.That(response.Messages, Is.Empty);
    }

    [Test]
    public async Task Complete_CompressedInUnknownEncoding_ReturnsUnimplemented()
    {
        RawResponse response = await _raw.SendAsync(Complete, RawGrpcClient.Frame([1], compressed: true), headers: [new("grpc-encoding", "snappy")]);

        Assert.That(response.Status, Is.EqualTo(StatusCode.Unimplemented), response.Message);
        Assert.That(response.Message, Does.Contain("snappy"));
    }

    [Test]
    public async Task Complete_Http11Request_IsRejectedAndDaemonKeepsServing()
    {
        using var http1 = new RawGrpcClient(_daemon.SocketPath, HttpVersion.Version11);

        // The socket speaks HTTP/2 only: Kestrel answers an HTTP/1.1 request with a plain 400, never a gRPC call.
        RawResponse response = await http1.SendAsync(Complete, RawGrpcClient.Frame(Ask("x")));

        Assert.That(response.HttpStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Status, Is.Null);
        Assert.That((await new Router.RouterClient(_channel).CompleteAsync(Ask("after"))).Content, Does.Contain("after"));
    }

    [Test]
    public async Task Complete_DeadlineShorterThanProvider_ReturnsDeadlineExceededPromptly()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        RawResponse response = await _raw.SendAsync(Complete, RawGrpcClient.Frame(Ask("slow", "slow")), headers: [new("grpc-timeout", "200m")]);

        Assert.That(response.Status, Is.EqualTo(StatusCode.DeadlineExceeded), response.Message);
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the slow mock takes 30 s: the deadline cancelled it");
    }

    [Test]
    public async Task Reflection_Default_ListsTheRouterAndHealthServices()
    {
        var client = new ServerReflection.ServerReflectionClient(_channel);

        IReadOnlyList<string> services = await ReflectionProbe.ListServicesAsync(client);

        Assert.That(services, Is.SupersetOf(new[] { "cortex.llm.v1.Router", "grpc.health.v1.Health" }));
    }

    [Test]
    public async Task Reflection_SwitchedOff_IsUnimplemented()
    {
        string json = await File.ReadAllTextAsync(TestDaemon.TestConfigPath);
        await using TestDaemon quiet = await TestDaemon.StartFromJsonAsync(json.Replace("\"logging\"", "\"server\": { \"reflection\": false }, \"logging\"", StringComparison.Ordinal));
        using GrpcChannel channel = CortexChannel.ForSocket(quiet.SocketPath);

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await ReflectionProbe.ListServicesAsync(new ServerReflection.ServerReflectionClient(channel))))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }
}
