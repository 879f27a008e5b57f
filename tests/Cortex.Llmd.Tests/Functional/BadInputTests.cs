using System.Net.Sockets;
using System.Text;
using Cortex.Llm.V1;
using Cortex.Llm.Client;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Functional;

/// <summary>Hostile or broken peers on the socket must never take the daemon down.</summary>
public class BadInputTests
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private TestDaemon _daemon = null!;

    [OneTimeSetUp]
    public async Task Start() => _daemon = await TestDaemon.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _daemon.DisposeAsync();

    public static IEnumerable<TestCaseData> HostileBytes()
    {
        var random = new Random(1234);
        byte[] garbage = new byte[64 * 1024];
        random.NextBytes(garbage);
        yield return new TestCaseData((object)garbage).SetName("Socket_RandomGarbage_DaemonKeepsServing");
        yield return new TestCaseData((object)Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).SetName("Socket_Http11Request_DaemonKeepsServing");
        yield return new TestCaseData((object)Preface.Take(10).ToArray()).SetName("Socket_HalfPreface_DaemonKeepsServing");
        // Preface, then a SETTINGS frame header announcing 100 bytes that never come.
        yield return new TestCaseData((object)Preface.Concat(new byte[] { 0, 0, 100, 4, 0, 0, 0, 0, 0, 1, 2 }).ToArray())
            .SetName("Socket_HalfSentFrame_DaemonKeepsServing");
        // Preface, then a frame of an unknown type with a huge length.
        yield return new TestCaseData((object)Preface.Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0xEE, 0, 0, 0, 0, 1 }).ToArray())
            .SetName("Socket_OversizeFrame_DaemonKeepsServing");
    }

    [TestCaseSource(nameof(HostileBytes))]
    public async Task Socket_HostileBytes_DaemonKeepsServing(byte[] bytes)
    {
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_daemon.SocketPath));
            try
            {
                await socket.SendAsync(bytes);
                socket.Shutdown(SocketShutdown.Send);
                byte[] sink = new byte[4096];
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                while (await socket.ReceiveAsync(sink, SocketFlags.None, cts.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // The daemon may reset the connection: that is a fine answer to garbage.
            }
        }

        await AssertServingAsync();
    }

    [Test]
    public async Task Complete_UnknownTaskType_ReturnsInvalidArgumentNamingIt()
    {
        using Grpc.Net.Client.GrpcChannel channel = CortexChannel.ForSocket(_daemon.SocketPath);
        var request = new CompleteRequest { TaskType = (TaskType)42, Messages = { new Message { Role = Role.User, Content = "hi" } } };

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await new Router.RouterClient(channel).CompleteAsync(request)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Is.EqualTo("unknown task type 42"));
    }

    [Test]
    public async Task Complete_WrongMessageTypeBytes_ReturnsStatusNotCrash()
    {
        using var client = new RawGrpcClient(_daemon.SocketPath);
        // A valid protobuf of another message type parses with unknown fields: no messages means INVALID_ARGUMENT.
        RawResponse response = await client.SendAsync("/cortex.llm.v1.Router/Complete", RawGrpcClient.Frame(new GetStatsRequest { SinceUnixMs = 5 }));

        Assert.That(response.Status, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(response.Message, Does.Contain("messages must not be empty"));
        await AssertServingAsync();
    }

    /// <summary>
    /// Truncations Google.Protobuf reports with InvalidOperationException rather than
    /// InvalidProtocolBufferException, which grpc-dotnet would answer UNKNOWN: "3a07" is field 7
    /// (max_tokens, a wrapper message) announcing 7 bytes that never come.
    /// </summary>
    [TestCase("3a07")]
    [TestCase("3a0208")]
    [TestCase("0a")]
    [TestCase("ffffffffffffffffffff01")]
    public async Task Complete_TruncatedMessage_InvalidArgumentNotUnknown(string hex)
    {
        using var client = new RawGrpcClient(_daemon.SocketPath);

        RawResponse response = await client.SendAsync("/cortex.llm.v1.Router/Complete", RawGrpcClient.Frame(Convert.FromHexString(hex)));

        Assert.That(response.Status, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(response.Message, Is.EqualTo("Request message is not valid protobuf."));
        await AssertServingAsync();
    }

    private async Task AssertServingAsync()
    {
        using Grpc.Net.Client.GrpcChannel channel = CortexChannel.ForSocket(_daemon.SocketPath);
        var request = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "still there?" } } };
        CompleteResponse response = await new Router.RouterClient(channel).CompleteAsync(request);
        Assert.That(response.Content, Is.EqualTo("Hello from mock-1: still there?"));
    }
}
