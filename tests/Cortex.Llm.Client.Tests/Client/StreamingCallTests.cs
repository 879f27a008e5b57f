using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Grpc.Core;
using Grpc.Health.V1;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class StreamingCallTests : FakeServerTestBase
{
    [Test]
    public async Task StreamCompleteAsync_ServerSendsNMessages_YieldsAllInOrder()
    {
        const int count = 50;
        Router.OnStreamComplete = async (_, stream, _) =>
        {
            for (int i = 0; i < count; i++)
            {
                await stream.WriteAsync(new CompleteChunk { ContentDelta = "d" + i });
            }

            await stream.WriteAsync(new CompleteChunk { Final = new CompleteResponse { Provider = "mock" } });
        };
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
    public async Task StreamCompleteAsync_ErrorAfterMessages_YieldsThemThenThrowsWithAttempts()
    {
        AttemptLog log = UnaryCallTests.TwoAttempts();
        Router.OnStreamComplete = async (_, stream, _) =>
        {
            await stream.WriteAsync(new CompleteChunk { ContentDelta = "partial" });
            throw new RpcException(new Status(StatusCode.Unavailable, "provider dropped the stream"), UnaryCallTests.AttemptsTrailer(log));
        };
        using var client = new CortexLlmClient(Server.SocketPath);

        var received = new List<string>();
        RpcException? error = null;
        try
        {
            await foreach (CompleteChunk chunk in client.StreamCompleteAsync(UnaryCallTests.UserPrompt("x")))
            {
                received.Add(chunk.ContentDelta);
            }
        }
        catch (RpcException e)
        {
            error = e;
        }

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "partial" }));
            Assert.That(error?.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error?.Status.Detail, Is.EqualTo("provider dropped the stream"));
            Assert.That(error?.GetAttemptLog(), Is.EqualTo(log));
        });
    }

    [Test]
    public async Task StreamCompleteAsync_EnumerationStoppedEarly_ResetsServerStream()
    {
        TaskCompletionSource aborted = Signal();
        Router.OnStreamComplete = (_, stream, context) =>
            StreamUntilCancelledAsync(stream, context, aborted, i => new CompleteChunk { ContentDelta = "d" + i });
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
        TaskCompletionSource aborted = Signal();
        WatchEventsRequest? seen = null;
        Router.OnWatchEvents = (request, stream, context) =>
        {
            seen = request;
            return StreamUntilCancelledAsync(stream, context, aborted, i => new Event { TimeUnixMs = i });
        };
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource();
        var request = new WatchEventsRequest { Kinds = { EventKind.StatsReset } };

        int received = 0;
        RpcException error = (await Assert.ThrowsAsync<RpcException>(async () =>
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
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Cancelled));
            Assert.That(received, Is.EqualTo(2));
            Assert.That(seen?.Kinds, Is.EqualTo(new[] { EventKind.StatsReset }));
        });
    }

    [Test]
    public async Task StreamCompleteAsync_CallOptionsTokenCancelledMidStream_ThrowsCancelledNotDeadline()
    {
        TaskCompletionSource aborted = Signal();
        Router.OnStreamComplete = (_, stream, context) =>
            StreamUntilCancelledAsync(stream, context, aborted, i => new CompleteChunk { ContentDelta = "d" + i });
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cts.Token);

        int received = 0;
        RpcException error = (await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (CompleteChunk chunk in client.StreamCompleteAsync(UnaryCallTests.UserPrompt("x"), options))
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
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Cancelled));
            Assert.That(received, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task WatchHealthAsync_StatusChanges_YieldsEachStatus()
    {
        Server.Health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        using var client = new CortexLlmClient(Server.SocketPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var statuses = new List<HealthCheckResponse.Types.ServingStatus>();
        await foreach (HealthCheckResponse response in client.WatchHealthAsync().WithCancellation(cts.Token))
        {
            statuses.Add(response.Status);
            if (statuses.Count == 1)
            {
                Server.Health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.NotServing);
            }
            else
            {
                break;
            }
        }

        Assert.That(statuses, Is.EqualTo(new[] { HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Types.ServingStatus.NotServing }));
    }

    [Test]
    public async Task RouterStreamComplete_RawClient_ExposesHeadersOfAnEmptyStream()
    {
        Router.OnStreamComplete = (_, _, context) => context.WriteResponseHeadersAsync(new Metadata { { "x-cortex-request-id", "req-empty" } });
        using var client = new CortexLlmClient(Server.SocketPath);

        using AsyncServerStreamingCall<CompleteChunk> call = client.Router.StreamComplete(UnaryCallTests.UserPrompt("x"));
        Metadata headers = await call.ResponseHeadersAsync;
        bool any = await call.ResponseStream.MoveNext(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(any, Is.False);
            Assert.That(headers.GetValue("x-cortex-request-id"), Is.EqualTo("req-empty"));
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        });
    }
}
