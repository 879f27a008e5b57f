using System.Text;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Cortex.Llmd.Tests.Services;

/// <summary>
/// Caller input repeated in an error is clipped, and the whole status message stays under 4 KiB, through
/// the real socket: an unbounded 3 MB echo makes a stock client fail on its header limit instead.
/// </summary>
public class BoundedEchoTests
{
    private const int Huge = 3_000_000;
    private static readonly string HugeName = new('x', Huge);

    private TestDaemon _daemon = null!;
    private GrpcChannel _channel = null!;
    private Router.RouterClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _daemon = await TestDaemon.StartAsync();
        _channel = CortexChannel.ForSocket(_daemon.SocketPath);
        _client = new Router.RouterClient(_channel);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _channel.Dispose();
        await _daemon.DisposeAsync();
    }

    private static CompleteRequest Ask() => new() { Messages = { new Message { Role = Role.User, Content = "hi" } } };

    private static IEnumerable<TestCaseData> HugeInputs()
    {
        yield return new TestCaseData((Action<CompleteRequest>)(r => r.Route = HugeName), StatusCode.InvalidArgument, true).SetName("Complete_HugeRouteName_QuotesItBounded");
        yield return new TestCaseData((Action<CompleteRequest>)(r => r.Provider = HugeName), StatusCode.InvalidArgument, true).SetName("Complete_HugeProviderName_QuotesItBounded");
        yield return new TestCaseData((Action<CompleteRequest>)(r => r.Model = HugeName), StatusCode.InvalidArgument, true).SetName("Complete_HugeModelName_QuotesItBounded");
        yield return new TestCaseData((Action<CompleteRequest>)(r =>
        {
            r.Tools.Add(new Tool { Name = "t", ParametersJsonSchema = "{}" });
            r.ToolChoice = new ToolChoice { ToolName = HugeName };
        }), StatusCode.InvalidArgument, true).SetName("Complete_HugeToolChoiceName_QuotesItBounded");
        yield return new TestCaseData((Action<CompleteRequest>)(r => r.ResponseJsonSchema = "{\"type\": \"" + HugeName + "\"}"), StatusCode.InvalidArgument, false)
            .SetName("Complete_HugeSchemaError_QuotesItBounded");
    }

    [TestCaseSource(nameof(HugeInputs))]
    public async Task Complete_HugeInput_MessageIsBoundedWithEllipsis(Action<CompleteRequest> spoil, StatusCode expected, bool quoted)
    {
        CompleteRequest request = Ask();
        spoil(request);

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CompleteAsync(request)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(expected));
        AssertBounded(ex.Status.Detail);
        Assert.That(ex.Status.Detail, Does.Not.Contain(new string('x', Quote.MaxChars + 1)));
        if (quoted)
        {
            Assert.That(ex.Status.Detail, Does.Contain(new string('x', Quote.MaxChars) + Quote.Ellipsis), "the quote keeps its first 200 characters and says it was cut");
        }
    }

    [Test]
    public async Task Route_HugeRouteName_MessageIsBoundedWithEllipsis()
    {
        CompleteRequest request = Ask();
        request.Route = HugeName;

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await _client.RouteAsync(request)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        AssertBounded(ex.Status.Detail);
        Assert.That(ex.Status.Detail, Does.StartWith("unknown route '" + new string('x', Quote.MaxChars) + Quote.Ellipsis + "'"));
    }

    [Test]
    public async Task StreamComplete_HugeRouteName_MessageIsBoundedWithEllipsis()
    {
        CompleteRequest request = Ask();
        request.Route = HugeName;

        using AsyncServerStreamingCall<CompleteChunk> call = _client.StreamComplete(request);
        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        AssertBounded(ex.Status.Detail);
        Assert.That(ex.Status.Detail, Does.Contain(new string('x', Quote.MaxChars) + Quote.Ellipsis));
    }

    [Test]
    public async Task Complete_UnknownTaskNumber_MessageIsBounded()
    {
        CompleteRequest request = Ask();
        request.TaskType = (TaskType)int.MaxValue;

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CompleteAsync(request)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Is.EqualTo($"unknown task type {int.MaxValue}"));
    }

    [Test]
    public async Task Complete_HugeRequestIdHeader_IsNotEchoedAndANewIdIsUsed()
    {
        // Kestrel caps one header field at 16 KiB; a longer one is refused before the daemon sees it.
        string id = new('i', 12_000);
        CompleteRequest request = Ask();
        request.Route = "broken";

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.CompleteAsync(request, new Metadata { { "x-cortex-request-id", id } })))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        AssertBounded(ex.Status.Detail);
        Assert.That(ex.Status.Detail, Does.Not.Contain("iiii"));
        Assert.That(ex.GetAttemptLog()!.RequestId, Does.StartWith("req_"));
    }

    [Test]
    public async Task Check_HugeHealthServiceName_IsNotFoundWithBoundedMessage()
    {
        var health = new Grpc.Health.V1.Health.HealthClient(_channel);

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = HugeName })))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.NotFound));
        AssertBounded(ex.Status.Detail);
        // Grpc.HealthCheck 2.85 answers an unknown name with an empty message; the door's guard would clip an echo.
        Assert.That(ex.Status.Detail, Does.Not.Contain("xxxx"));
    }

    [Test]
    public async Task Complete_NonAsciiHugeRoute_EncodedMessageStaysUnder4KiB()
    {
        CompleteRequest request = Ask();
        request.Route = string.Concat(Enumerable.Repeat("é😀", Huge / 8));

        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CompleteAsync(request)))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        AssertBounded(ex.Status.Detail);
        Assert.That(ex.Status.Detail, Does.Contain("é😀é😀").And.Contain(Quote.Ellipsis));
    }

    private static void AssertBounded(string detail)
    {
        Assert.That(Quote.EncodedSize(detail), Is.LessThan(4096), "the grpc-message as sent, percent-encoded");
        Assert.That(Encoding.UTF8.GetByteCount(detail), Is.LessThan(4096));
    }
}
