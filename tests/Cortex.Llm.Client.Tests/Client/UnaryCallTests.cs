using System.Net.Sockets;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class UnaryCallTests : FakeServerTestBase
{
    [Test]
    public async Task CompleteAsync_Answer_ReturnsResponseForTheRequestSent()
    {
        Router.OnComplete = (request, _) => Task.FromResult(new CompleteResponse
        {
            RequestId = "req-1",
            Content = "echo: " + request.Messages[0].Content,
            Provider = "mock",
            Usage = new Usage { InputTokens = 3, OutputTokens = 5 },
        });
        using var client = new CortexLlmClient(Server.SocketPath);

        CompleteResponse response = await client.CompleteAsync(UserPrompt("hello"));

        Assert.Multiple(() =>
        {
            Assert.That(response.Content, Is.EqualTo("echo: hello"));
            Assert.That(response.Usage.OutputTokens, Is.EqualTo(5));
            Assert.That(Router.ReceivedPaths, Is.EqualTo(new[] { "/cortex.llm.v1.Router/Complete" }));
        });
    }

    [Test]
    public async Task CompleteAsync_TrailersOnlyErrorWithAttempts_ThrowsStatusAndDecodesAttemptLog()
    {
        const string detail = "Alle Anbieter ausgefallen – Überlast 100% 🚦";
        AttemptLog log = TwoAttempts();
        Router.OnComplete = (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, detail), AttemptsTrailer(log));
        using var client = new CortexLlmClient(Server.SocketPath);

        RpcException error = (await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Not.InstanceOf<CortexUnreachableException>());
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error.Status.Detail, Is.EqualTo(detail));
            Assert.That(error.GetAttemptLog(), Is.EqualTo(log));
        });
    }

    [Test]
    public async Task CompleteAsync_ErrorAfterResponseHeaders_DecodesAttemptLogFromTrailers()
    {
        var log = new AttemptLog { RequestId = "req-10", Attempts = { new Attempt { Provider = "local", Outcome = AttemptOutcome.InvalidAnswer } } };
        Router.OnComplete = async (_, context) =>
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-cortex-request-id", "req-10" } });
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "budget spent"), AttemptsTrailer(log));
        };
        using var client = new CortexLlmClient(Server.SocketPath);

        RpcException error = (await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(error.Status.Detail, Is.EqualTo("budget spent"));
            Assert.That(error.GetAttemptLog()?.RequestId, Is.EqualTo("req-10"));
        });
    }

    [Test]
    public async Task GetAttemptLog_GarbledTrailer_ReturnsNullAndKeepsStatus()
    {
        Router.OnComplete = (_, _) => throw new RpcException(
            new Status(StatusCode.Internal, "broken"), new Metadata { { CortexErrors.AttemptsTrailer, new byte[] { 0x0A, 0xFF, 0xFF } } });
        using var client = new CortexLlmClient(Server.SocketPath);

        RpcException error = (await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Internal));
            Assert.That(error.GetAttemptLog(), Is.Null);
        });
    }

    [Test]
    public async Task CompleteAsync_MethodNotServed_ThrowsUnimplemented()
    {
        using var client = new CortexLlmClient(Server.SocketPath);

        RpcException error = (await Assert.ThrowsAsync<RpcException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public async Task CompleteAsync_SocketDoesNotExist_ThrowsUnreachableNamingPath()
    {
        string missing = MissingSocket();
        using var client = new CortexLlmClient(missing);

        CortexUnreachableException error = (await Assert.ThrowsAsync<CortexUnreachableException>(() => client.CompleteAsync(UserPrompt("x"))))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error.SocketPath, Is.EqualTo(missing));
            Assert.That(error.Reason, Is.EqualTo("no such socket (is cortex-llmd running?)"));
            Assert.That(error.Status.Detail, Is.EqualTo($"cannot reach cortex-llmd at {missing}: no such socket (is cortex-llmd running?)"));
        });
    }

    [Test]
    public async Task CompleteAsync_SocketFileWithoutListener_ThrowsUnreachableConnectionRefused()
    {
        string stale = MissingSocket();
        // Bound but not listening: a connect is refused, as when a daemon died and left its socket file behind.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(stale));
        try
        {
            using var client = new CortexLlmClient(stale);

            CortexUnreachableException error = (await Assert.ThrowsAsync<CortexUnreachableException>(() => client.GetStatsAsync(new GetStatsRequest())))!;

            Assert.That(error.Reason, Is.EqualTo("connection refused (is cortex-llmd running?)"));
        }
        finally
        {
            File.Delete(stale);
        }
    }

    [Test]
    public async Task StreamCompleteAsync_SocketDoesNotExist_ThrowsUnreachable()
    {
        using var client = new CortexLlmClient(MissingSocket());

        await Assert.ThrowsAsync<CortexUnreachableException>(async () =>
        {
            await foreach (CompleteChunk _ in client.StreamCompleteAsync(UserPrompt("x")))
            {
            }
        });
    }

    [Test]
    public async Task CheckHealthAsync_ServiceName_AnswersForThatService()
    {
        Server.Health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        Server.Health.SetStatus("cortex.llm.v1.Router", HealthCheckResponse.Types.ServingStatus.NotServing);
        using var client = new CortexLlmClient(Server.SocketPath);

        HealthCheckResponse whole = await client.CheckHealthAsync();
        HealthCheckResponse router = await client.CheckHealthAsync("cortex.llm.v1.Router");

        Assert.Multiple(() =>
        {
            Assert.That(whole.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving));
            Assert.That(router.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.NotServing));
        });
    }

    [Test]
    public async Task UnaryMethods_EachCall_ReachesItsOwnMethod()
    {
        Router.OnRoute = (_, _) => Task.FromResult(new RoutingDecision { Route = "r" });
        Router.OnGetStats = (_, _) => Task.FromResult(new GetStatsResponse { InFlight = 2 });
        Router.OnResetStats = (_, _) => Task.FromResult(new ResetStatsResponse { PreviousWindowStartUnixMs = 3 });
        Router.OnListProviders = (_, _) => Task.FromResult(new ListProvidersResponse { Ledger = "ok" });
        using var client = new CortexLlmClient(Server.SocketPath);

        RoutingDecision route = await client.RouteAsync(UserPrompt("x"));
        GetStatsResponse stats = await client.GetStatsAsync(new GetStatsRequest());
        ResetStatsResponse reset = await client.ResetStatsAsync();
        ListProvidersResponse providers = await client.ListProvidersAsync();

        Assert.Multiple(() =>
        {
            Assert.That((route.Route, stats.InFlight, reset.PreviousWindowStartUnixMs, providers.Ledger), Is.EqualTo(("r", 2u, 3L, "ok")));
            Assert.That(Router.ReceivedPaths, Is.EqualTo(new[]
            {
                "/cortex.llm.v1.Router/Route", "/cortex.llm.v1.Router/GetStats",
                "/cortex.llm.v1.Router/ResetStats", "/cortex.llm.v1.Router/ListProviders",
            }));
        });
    }

    [Test]
    public async Task CortexChannel_ForSocket_ServesTheRawGeneratedClient()
    {
        Router.OnComplete = (_, _) => Task.FromResult(new CompleteResponse { Content = "raw" });
        using Grpc.Net.Client.GrpcChannel channel = CortexChannel.ForSocket(Server.SocketPath);
        var raw = new Router.RouterClient(channel);

        CompleteResponse response = await raw.CompleteAsync(UserPrompt("x"));

        Assert.That(response.Content, Is.EqualTo("raw"));
    }

    internal static CompleteRequest UserPrompt(string text) =>
        new() { Messages = { new Message { Role = Role.User, Content = text } } };

    internal static string MissingSocket() =>
        Path.Combine(Path.GetTempPath(), "cortex-missing-" + Guid.NewGuid().ToString("N")[..8] + ".sock");

    internal static AttemptLog TwoAttempts() => new()
    {
        RequestId = "req-9",
        Attempts =
        {
            new Attempt { Provider = "openai", Model = "gpt-x", Outcome = AttemptOutcome.Error, Reason = "HTTP 500", HttpStatus = 500 },
            new Attempt { Provider = "anthropic", Model = "claude-y", Outcome = AttemptOutcome.Timeout, LatencyUs = 30_000_000 },
        },
    };

    internal static Metadata AttemptsTrailer(AttemptLog log) => new() { { CortexErrors.AttemptsTrailer, log.ToByteArray() } };
}
