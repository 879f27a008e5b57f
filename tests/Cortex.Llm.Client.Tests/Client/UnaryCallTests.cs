using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Google.Protobuf;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class UnaryCallTests : FakeServerTestBase
{
    [Test]
    public async Task CompleteAsync_UnaryMessageWithTrailers_ReturnsResponseAndSendsGrpcHeaders()
    {
        var seen = new Dictionary<string, string>();
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            CompleteRequest request = await context.ReadGrpcRequestAsync(CompleteRequest.Parser);
            seen["content-type"] = context.Request.ContentType ?? "";
            seen["te"] = context.Request.Headers.TE.ToString();
            seen["protocol"] = context.Request.Protocol;
            seen["timeout-present"] = context.Request.Headers.ContainsKey(GrpcProtocol.TimeoutHeader).ToString();
            await context.RespondUnaryAsync(new CompleteResponse
            {
                RequestId = "req-1",
                Content = "echo: " + request.Messages[0].Content,
                Provider = "mock",
                Usage = new Usage { InputTokens = 3, OutputTokens = 5 },
            });
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CompleteResponse response = await client.CompleteAsync(UserPrompt("hello"));

        Assert.Multiple(() =>
        {
            Assert.That(response.Content, Is.EqualTo("echo: hello"));
            Assert.That(response.Usage.OutputTokens, Is.EqualTo(5));
            Assert.That(seen["content-type"], Is.EqualTo("application/grpc"));
            Assert.That(seen["te"], Is.EqualTo("trailers"));
            Assert.That(seen["protocol"], Is.EqualTo("HTTP/2"));
            Assert.That(seen["timeout-present"], Is.EqualTo("False"));
        });
    }

    [Test]
    public async Task CompleteAsync_TrailersOnlyErrorWithAttempts_ThrowsDecodedStatusAndAttemptLog()
    {
        const string detail = "Alle Anbieter ausgefallen – Überlast 100% 🚦";
        var log = new AttemptLog
        {
            RequestId = "req-9",
            Attempts =
            {
                new Attempt { Provider = "openai", Model = "gpt-x", Outcome = AttemptOutcome.Error, Reason = "HTTP 500", HttpStatus = 500 },
                new Attempt { Provider = "anthropic", Model = "claude-y", Outcome = AttemptOutcome.Timeout, LatencyUs = 30_000_000 },
            },
        };
        Server.Map(GrpcServerHelpers.Router + "Complete", context =>
        {
            context.SetTrailersOnlyStatus(GrpcStatusCode.Unavailable, detail);
            context.Response.Headers["x-cortex-attempts-bin"] = BinaryMetadata.Encode(log.ToByteArray());
            return Task.CompletedTask;
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Not.InstanceOf<CortexUnreachableException>());
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Unavailable));
            Assert.That(error.Detail, Is.EqualTo(detail));
            Assert.That(error.Attempts, Is.EqualTo(log));
            Assert.That(error.Metadata.GetBytes("x-cortex-attempts-bin"), Is.EqualTo(log.ToByteArray()));
        });
    }

    [Test]
    public async Task CompleteAsync_ErrorStatusInTrailersAfterHeaders_ThrowsWithTrailerAttempts()
    {
        var log = new AttemptLog { RequestId = "req-10", Attempts = { new Attempt { Provider = "local", Outcome = AttemptOutcome.InvalidAnswer } } };
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            context.Response.ContentType = GrpcProtocol.ContentType;
            await context.Response.StartAsync();
            context.SetTrailerStatus(GrpcStatusCode.ResourceExhausted, "budget spent");
            context.Response.AppendTrailer("x-cortex-attempts-bin", BinaryMetadata.Encode(log.ToByteArray()));
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.ResourceExhausted));
            Assert.That(error.Detail, Is.EqualTo("budget spent"));
            Assert.That(error.Attempts?.RequestId, Is.EqualTo("req-10"));
        });
    }

    [Test]
    public async Task CompleteAsync_UnknownPath404_ThrowsUnimplemented()
    {
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Unimplemented));
            Assert.That(error.Detail, Does.Contain("404"));
        });
    }

    [Test]
    public async Task CompleteAsync_MessageWithoutGrpcStatus_ThrowsUnknown()
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", context => context.WriteGrpcMessageAsync(new CompleteResponse { Content = "x" }));
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Unknown));
            Assert.That(error.Detail, Does.Contain("grpc-status"));
        });
    }

    [Test]
    public async Task CompleteAsync_NonGrpcContentType_ThrowsUnknown()
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>proxy error</html>");
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Unknown));
    }

    [TestCase(0)]
    [TestCase(2)]
    public async Task CompleteAsync_UnaryWithWrongMessageCount_ThrowsInternal(int messages)
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            for (int i = 0; i < messages; i++)
            {
                await context.WriteGrpcMessageAsync(new CompleteResponse { Content = "m" + i });
            }

            context.SetTrailerStatus(GrpcStatusCode.OK);
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Internal));
    }

    [Test]
    public async Task CompleteAsync_OversizedFrame_ThrowsResourceExhausted()
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            // Only the header: the client must refuse before trying to read 5 MiB.
            await context.WriteRawAsync([0, 0, 0x50, 0, 0]);
            context.SetTrailerStatus(GrpcStatusCode.OK);
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.ResourceExhausted));
    }

    [Test]
    public async Task CompleteAsync_CompressedFrameNotNegotiated_ThrowsInternal()
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", async context =>
        {
            await context.WriteRawAsync([1, 0, 0, 0, 0]);
            context.SetTrailerStatus(GrpcStatusCode.OK);
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CortexRpcException error = (await Assert.ThrowsAsync<CortexRpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Internal));
            Assert.That(error.Detail, Does.Contain("flag 1"));
        });
    }

    [Test]
    public async Task CompleteAsync_SocketDoesNotExist_ThrowsUnreachableWithPath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "cortex-missing-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var client = new CortexLlmClient(missing);

        CortexUnreachableException error = (await Assert.ThrowsAsync<CortexUnreachableException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(GrpcStatusCode.Unavailable));
            Assert.That(error.SocketPath, Is.EqualTo(missing));
            Assert.That(error.Detail, Is.Not.Empty);
        });
    }

    [Test]
    public async Task CheckHealthAsync_ServiceName_SendsItAndReturnsStatus()
    {
        string? askedFor = null;
        Server.Map("/grpc.health.v1.Health/Check", async context =>
        {
            askedFor = (await context.ReadGrpcRequestAsync(HealthCheckRequest.Parser)).Service;
            await context.RespondUnaryAsync(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.NotServing });
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        HealthCheckResponse response = await client.CheckHealthAsync("cortex.llm.v1.Router");

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.NotServing));
            Assert.That(askedFor, Is.EqualTo("cortex.llm.v1.Router"));
        });
    }

    [Test]
    public async Task UnaryMethods_EachCall_PostsToItsOwnPath()
    {
        // An empty message is a valid answer of any type, so one handler serves every path.
        foreach (string method in new[] { "Route", "GetStats", "ResetStats", "ListProviders" })
        {
            Server.Map(GrpcServerHelpers.Router + method, context => context.RespondUnaryAsync(new ResetStatsRequest()));
        }

        using var client = new CortexLlmClient(Server.SocketPath);

        await client.RouteAsync(UserPrompt("x"));
        await client.GetStatsAsync(new GetStatsRequest());
        await client.ResetStatsAsync();
        await client.ListProvidersAsync();

        Assert.That(Server.ReceivedPaths, Is.EqualTo(new[]
        {
            "/cortex.llm.v1.Router/Route", "/cortex.llm.v1.Router/GetStats",
            "/cortex.llm.v1.Router/ResetStats", "/cortex.llm.v1.Router/ListProviders",
        }));
    }

    internal static CompleteRequest UserPrompt(string text) =>
        new() { Messages = { new Message { Role = Role.User, Content = text } } };
}
