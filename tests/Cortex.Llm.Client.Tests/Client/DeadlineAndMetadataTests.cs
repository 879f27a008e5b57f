using System.Diagnostics;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Grpc.Core;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class DeadlineAndMetadataTests : FakeServerTestBase
{
    [Test]
    public async Task CompleteAsync_SlowHandler_SendsDeadlineAndThrowsDeadlineExceededOnTime()
    {
        TaskCompletionSource aborted = Signal();
        TimeSpan? serverBudget = null;
        Router.OnComplete = async (_, context) =>
        {
            serverBudget = context.Deadline - DateTime.UtcNow;
            await HangUntilCancelledAsync(context, aborted);
            return new CompleteResponse();
        };
        using var client = new CortexLlmClient(Server.SocketPath);

        var watch = Stopwatch.StartNew();
        RpcException error = (await Assert.ThrowsAsync<RpcException>(() =>
            client.CompleteAsync(UnaryCallTests.UserPrompt("x"), new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(300)))))!;
        watch.Stop();

        await Within(aborted.Task);
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(serverBudget, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromMilliseconds(300)), "grpc-timeout reached the daemon");
            Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)).And.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [Test]
    public async Task CompleteAsync_NoDeadline_DaemonSeesNone()
    {
        DateTime? deadline = null;
        Router.OnComplete = (_, context) =>
        {
            deadline = context.Deadline;
            return Task.FromResult(new CompleteResponse());
        };
        using var client = new CortexLlmClient(Server.SocketPath);

        await client.CompleteAsync(UnaryCallTests.UserPrompt("x"));

        Assert.That(deadline, Is.EqualTo(DateTime.MaxValue));
    }

    [Test]
    public async Task CompleteAsync_CallerCancelsWhileDaemonWorks_ThrowsCancelledAndResetsStream()
    {
        TaskCompletionSource started = Signal();
        TaskCompletionSource aborted = Signal();
        Router.OnComplete = async (_, context) =>
        {
            await HangUntilCancelledAsync(context, aborted, started);
            return new CompleteResponse();
        };
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource();

        Task<CompleteResponse> call = client.CompleteAsync(
            UnaryCallTests.UserPrompt("x"), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cts.Token));
        await Within(started.Task);
        await cts.CancelAsync();
        RpcException error = (await Assert.ThrowsAsync<RpcException>(() => call))!;

        await Within(aborted.Task);
        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task CompleteAsync_RequestIdAndCorrelationHeaders_ReachTheDaemonIntact()
    {
        byte[] correlation = [0x00, 0xC3, 0xA9, 0xFF, 0x80, 0x7F, 0x0A];
        Metadata? seen = null;
        Router.OnComplete = (_, context) =>
        {
            seen = context.RequestHeaders;
            return Task.FromResult(new CompleteResponse { Content = "ok" });
        };
        using var client = new CortexLlmClient(Server.SocketPath);
        var headers = new Metadata { { "x-cortex-request-id", "caller-42" }, { "x-cortex-correlation-bin", correlation } };

        await client.CompleteAsync(UnaryCallTests.UserPrompt("x"), new CallOptions(headers: headers));

        Assert.Multiple(() =>
        {
            Assert.That(seen?.GetValue("x-cortex-request-id"), Is.EqualTo("caller-42"));
            Assert.That(seen?.GetValueBytes("x-cortex-correlation-bin"), Is.EqualTo(correlation));
        });
    }

    [Test]
    public async Task RouterCompleteAsync_RawClient_ReturnsResponseHeadersAndTrailers()
    {
        byte[] correlation = [0xFF, 0x00, 0x01];
        Router.OnComplete = async (_, context) =>
        {
            await context.WriteResponseHeadersAsync(new Metadata
            {
                { "x-cortex-request-id", "req-77" },
                { "x-cortex-correlation-bin", context.RequestHeaders.GetValueBytes("x-cortex-correlation-bin")! },
            });
            context.ResponseTrailers.Add("x-cortex-cost", "42");
            return new CompleteResponse { Content = "ok" };
        };
        using var client = new CortexLlmClient(Server.SocketPath);

        using AsyncUnaryCall<CompleteResponse> call = client.Router.CompleteAsync(
            UnaryCallTests.UserPrompt("x"), new Metadata { { "x-cortex-correlation-bin", correlation } });
        CompleteResponse response = await call.ResponseAsync;
        Metadata headers = await call.ResponseHeadersAsync;

        Assert.Multiple(() =>
        {
            Assert.That(response.Content, Is.EqualTo("ok"));
            Assert.That(headers.GetValue("x-cortex-request-id"), Is.EqualTo("req-77"));
            Assert.That(headers.GetValueBytes("x-cortex-correlation-bin"), Is.EqualTo(correlation));
            Assert.That(call.GetTrailers().GetValue("x-cortex-cost"), Is.EqualTo("42"));
        });
    }
}
