using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class StreamingCallTests : FakeServerTestBase
{
    [Test]
    public async Task StreamCompleteAsync_ServerSendsNMessages_YieldsAllInOrder()
    {
        const int count = 50;
        Server.Map(GrpcServerHelpers.Router + "StreamComplete", async context =>
        {
            for (int i = 0; i < count; i++)
            {
                await context.WriteGrpcMessageAsync(new CompleteChunk { ContentDelta = "d" + i });
            }

            await context.WriteGrpcMessageAsync(new CompleteChunk { Final = new CompleteResponse { Provider = "mock" } });
            context.SetTrailerStatus(GrpcStatusCode.OK);
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        var chunks = new List<CompleteChunk>();
        await foreach (CompleteChunk chunk in client.StreamCompleteAsync(UnaryCallTests.UserPrompt("x")))
        {
            chunks.Add(chunk);
        }

        Assert.Multiple(() =>
        {
            Assert.That(chunks, Has.Count.EqualTo(count + 1));
            Assert.That(chunks.Take(count).Select(c => c.ContentDelta), Is.EqualTo(Enumerable.Range(0, count).Select(i => "d" + i)));
            Assert.That(chunks[^1].Final.Provider, Is.EqualTo("mock"));
        });
    }

    [Test]
    public async Task StreamCompleteAsync_ErrorAfterMessages_YieldsThemThenThrows()
    {
        Server.Map(GrpcServerHelpers.Router + "StreamComplete", async context =>
        {
            await context.WriteGrpcMessageAsync(new CompleteChunk { ContentDelta = "partial" });
            context.SetTrailerStatus(GrpcStatusCode.Unavailable, "provider dropped the stream");
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        var received = new List<string>();
        CortexRpcException? error = null;
        try
        {
            await foreach (CompleteChunk chunk in client.StreamCompleteAsync(UnaryCallTests.UserPrompt("x")))
            {
                received.Add(chunk.ContentDelta);
            }
        }
        catch (CortexRpcException e)
        {
            error = e;
        }

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "partial" }));
            Assert.That(error?.StatusCode, Is.EqualTo(GrpcStatusCode.Unavailable));
            Assert.That(error?.Detail, Is.EqualTo("provider dropped the stream"));
        });
    }

    [Test]
    public async Task StreamCompleteAsync_EnumerationStoppedEarly_ResetsServerStream()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Map(GrpcServerHelpers.Router + "StreamComplete", EndlessStream(aborted, i => new CompleteChunk { ContentDelta = "d" + i }));
        using var client = new CortexLlmClient(Server.SocketPath);

        int taken = 0;
        await foreach (CompleteChunk chunk in client.StreamCompleteAsync(UnaryCallTests.UserPrompt("x")))
        {
            if (++taken == 3)
            {
                break;
            }
        }

        await Within(aborted.Task);
        Assert.That(aborted.Task.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task WatchEventsAsync_EnumeratorTokenCancelled_ThrowsCancelledAndResetsStream()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        WatchEventsRequest? seen = null;
        Server.Map(GrpcServerHelpers.Router + "WatchEvents", async context =>
        {
            seen = await context.ReadGrpcRequestAsync(WatchEventsRequest.Parser);
            await EndlessStream(aborted, i => new Event { TimeUnixMs = i })(context);
        });
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource();
        var request = new WatchEventsRequest { Kinds = { EventKind.StatsReset } };

        int received = 0;
        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(async () =>
        {
            await foreach (Event item in client.WatchEventsAsync(request).WithCancellation(cts.Token))
            {
                if (++received == 2)
                {
                    await cts.CancelAsync();
                }
            }
        }))!;

        await Within(aborted.Task);
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Cancelled));
            Assert.That(received, Is.EqualTo(2));
            Assert.That(seen?.Kinds, Is.EqualTo(new[] { EventKind.StatsReset }));
        });
    }

    [Test]
    public async Task WatchHealthAsync_StatusChanges_YieldsEachStatus()
    {
        Server.Map("/grpc.health.v1.Health/Watch", async context =>
        {
            await context.WriteGrpcMessageAsync(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });
            await context.WriteGrpcMessageAsync(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.NotServing });
            context.SetTrailerStatus(GrpcStatusCode.OK);
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        var statuses = new List<HealthCheckResponse.Types.ServingStatus>();
        await foreach (HealthCheckResponse response in client.WatchHealthAsync())
        {
            statuses.Add(response.Status);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Types.ServingStatus.NotServing }));
    }

    [Test]
    public async Task StartStreamCompleteAsync_TrailersOnlyOk_YieldsNothingAndExposesHeaders()
    {
        Server.Map(GrpcServerHelpers.Router + "StreamComplete", context =>
        {
            context.Response.Headers["x-cortex-request-id"] = "req-empty";
            context.SetTrailersOnlyStatus(GrpcStatusCode.OK);
            return Task.CompletedTask;
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        using ServerStreamingCall<CompleteChunk> call = await client.StartStreamCompleteAsync(UnaryCallTests.UserPrompt("x"));
        var chunks = new List<CompleteChunk>();
        await foreach (CompleteChunk chunk in call.ReadAllAsync())
        {
            chunks.Add(chunk);
        }

        Assert.Multiple(() =>
        {
            Assert.That(chunks, Is.Empty);
            Assert.That(call.ResponseHeaders.GetValue("x-cortex-request-id"), Is.EqualTo("req-empty"));
        });
    }

    [Test]
    public async Task ReadAllAsync_TokenCancelledMidStream_ThrowsCancelledNotDeadline()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Map(GrpcServerHelpers.Router + "StreamComplete", EndlessStream(aborted, i => new CompleteChunk { ContentDelta = "d" + i }));
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource();
        using ServerStreamingCall<CompleteChunk> call = await client.StartStreamCompleteAsync(
            UnaryCallTests.UserPrompt("x"), new CallOptions { Timeout = TimeSpan.FromSeconds(30) });

        int received = 0;
        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(async () =>
        {
            await foreach (CompleteChunk chunk in call.ReadAllAsync(cts.Token))
            {
                if (++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        }))!;

        await Within(aborted.Task);
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Cancelled));
            Assert.That(received, Is.EqualTo(3));
        });
    }

    /// <summary>Sends chunks until the client resets the stream, then reports that it did.</summary>
    private static RequestDelegate EndlessStream(TaskCompletionSource aborted, Func<int, Google.Protobuf.IMessage> next) => async context =>
    {
        context.RequestAborted.Register(() => aborted.TrySetResult());
        try
        {
            for (int i = 0; ; i++)
            {
                await context.WriteGrpcMessageAsync(next(i));
                await Task.Delay(10, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
    };
}
