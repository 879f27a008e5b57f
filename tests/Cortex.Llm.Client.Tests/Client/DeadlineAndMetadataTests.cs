using System.Diagnostics;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class DeadlineAndMetadataTests : FakeServerTestBase
{
    [Test]
    public async Task CompleteAsync_SlowHandler_SendsGrpcTimeoutAndThrowsDeadlineExceededLocally()
    {
        string? timeoutHeader = null;
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Map(GrpcServerHelpers.Router + "Complete", SlowHandler(aborted, h => timeoutHeader = h));
        using var client = new CortexLlmClient(Server.SocketPath);

        var watch = Stopwatch.StartNew();
        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() =>
            client.CompleteAsync(UnaryCallTests.UserPrompt("x"), new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) })))!;
        watch.Stop();

        await Within(aborted.Task);
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.DeadlineExceeded));
            Assert.That(timeoutHeader, Is.EqualTo("300000u"));
            Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)).And.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [Test]
    public async Task CompleteAsync_CallerCancelsWhileDaemonWorks_ThrowsCancelledAndResetsStream()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Map(GrpcServerHelpers.Router + "Complete", SlowHandler(aborted, _ => started.TrySetResult()));
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource();

        Task<CompleteResponse> call = client.CompleteAsync(
            UnaryCallTests.UserPrompt("x"), new CallOptions { CancellationToken = cts.Token, Timeout = TimeSpan.FromSeconds(30) });
        await Within(started.Task);
        await cts.CancelAsync();
        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => call))!;

        await Within(aborted.Task);
        Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Cancelled));
    }

    [Test]
    public async Task CompleteWithMetadataAsync_EchoHandler_ReturnsRequestMetadataInResponseHeaders()
    {
        byte[] correlation = [0x00, 0xC3, 0xA9, 0xFF, 0x80, 0x7F, 0x0A];
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in context.Request.Headers)
            {
                if (header.Key.StartsWith("x-", StringComparison.Ordinal))
                {
                    context.Response.Headers[header.Key] = header.Value;
                }
            }

            context.Response.Headers["x-cortex-request-id"] = "req-77";
            await context.RespondUnaryAsync(new CompleteResponse { Content = "ok" });
        });
        using var client = new CortexLlmClient(Server.SocketPath);
        var options = new CallOptions
        {
            Headers = new Metadata { { "x-cortex-correlation-bin", correlation }, { "X-Caller-Note", "plain text" } },
        };

        CallResult<CompleteResponse> result = await client.CompleteWithMetadataAsync(UnaryCallTests.UserPrompt("x"), options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Response.Content, Is.EqualTo("ok"));
            Assert.That(result.Headers.GetBytes("x-cortex-correlation-bin"), Is.EqualTo(correlation));
            Assert.That(result.Headers.GetValue("x-caller-note"), Is.EqualTo("plain text"));
            Assert.That(result.Headers.GetValue("x-cortex-request-id"), Is.EqualTo("req-77"));
            Assert.That(result.Headers.GetValue("content-type"), Is.Null, "protocol headers are not metadata");
        });
    }

    [Test]
    public async Task CompleteWithMetadataAsync_TrailerMetadata_ReturnedAsTrailers()
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            await context.RespondUnaryAsync(new CompleteResponse());
            context.Response.AppendTrailer("x-cortex-cost", "42");
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CallResult<CompleteResponse> result = await client.CompleteWithMetadataAsync(UnaryCallTests.UserPrompt("x"));

        Assert.That(result.Trailers.GetValue("x-cortex-cost"), Is.EqualTo("42"));
    }

    /// <summary>Never answers; records grpc-timeout and signals when the client resets the stream.</summary>
    private static RequestDelegate SlowHandler(TaskCompletionSource aborted, Action<string?> onTimeoutHeader) => async context =>
    {
        onTimeoutHeader(context.Request.Headers[GrpcProtocol.TimeoutHeader].FirstOrDefault());
        context.RequestAborted.Register(() => aborted.TrySetResult());
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    };
}
