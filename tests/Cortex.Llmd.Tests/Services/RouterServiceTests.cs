using Cortex.Llm.V1;
using Cortex.Llm.Client;
using Cortex.Llmd.Events;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Tests.Services;

/// <summary>The Router service through the real socket, with the daemon's own state checked behind it.</summary>
public class RouterServiceTests
{
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

    private static CompleteRequest Ask(string prompt, string route = "") =>
        new() { Route = route, TenantId = "tenant-a", Messages = { new Message { Role = Role.User, Content = prompt } } };

    [Test]
    public async Task Complete_AnyCall_RecordsCallerFromPeerCredentials()
    {
        EventHub hub = _daemon.App.Services.GetRequiredService<EventHub>();
        using EventSubscription events = hub.Subscribe([EventKind.RequestFinished]);

        await _client.CompleteAsync(Ask("who am I"));

        Event finished = await events.ReadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.That(finished.RequestFinished.Caller.Pid, Is.EqualTo((uint)Environment.ProcessId));
        Assert.That(finished.RequestFinished.Caller.Uid, Is.EqualTo(Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId()));
        Assert.That(finished.RequestFinished.Caller.ProcessName, Is.Not.Empty);
        Assert.That(finished.RequestFinished.TenantId, Is.EqualTo("tenant-a"));
        Assert.That(finished.RequestFinished.Door, Is.EqualTo("grpc"), "the socket is the gRPC front door");
        Assert.That(finished.RequestFinished.Status, Is.EqualTo("OK"));
    }

    [Test]
    public async Task Complete_CallerRequestIdAndCorrelation_AreEchoed()
    {
        byte[] correlation = [0, 255, 7, 128];
        using AsyncUnaryCall<CompleteResponse> call = _client.CompleteAsync(Ask("id please"), new Metadata
        {
            { "x-cortex-request-id", "caller-42" },
            { "x-cortex-correlation-bin", correlation },
        });
        CompleteResponse response = await call;
        Metadata headers = await call.ResponseHeadersAsync;

        Assert.That(response.RequestId, Is.EqualTo("caller-42"));
        Assert.That(headers.GetValue("x-cortex-request-id"), Is.EqualTo("caller-42"));
        Assert.That(headers.GetValueBytes("x-cortex-correlation-bin"), Is.EqualTo(correlation));
    }

    [Test]
    public async Task Complete_UnsafeRequestId_IsReplacedByGeneratedOne()
    {
        using AsyncUnaryCall<CompleteResponse> call = _client.CompleteAsync(Ask("id"), new Metadata { { "x-cortex-request-id", "bad id; drop table" } });
        CompleteResponse response = await call;

        Assert.That(response.RequestId, Does.StartWith("req_"));
        Assert.That((await call.ResponseHeadersAsync).GetValue("x-cortex-request-id"), Is.EqualTo(response.RequestId));
    }

    [Test]
    public async Task GetStats_AfterCalls_CountsThemByRoute()
    {
        GetStatsResponse before = await _client.GetStatsAsync(new GetStatsRequest { GroupBy = GroupBy.Route });
        await _client.CompleteAsync(Ask("a", "fallback"));
        await _client.CompleteAsync(Ask("b", "fallback"));

        GetStatsResponse after = await _client.GetStatsAsync(new GetStatsRequest { GroupBy = GroupBy.Route });

        StatsGroup Fallback(GetStatsResponse s) => s.Groups.FirstOrDefault(g => g.Key == "fallback") ?? new StatsGroup();
        Assert.That(Fallback(after).Requests - Fallback(before).Requests, Is.EqualTo(2));
        Assert.That(Fallback(after).Fallbacks - Fallback(before).Fallbacks, Is.EqualTo(2), "broken first, then default");
        Assert.That(Fallback(after).Attempts - Fallback(before).Attempts, Is.EqualTo(4));
        Assert.That(after.InFlight, Is.Zero);
    }

    [Test]
    public async Task Route_FallbackRoute_ListsChainWithoutCallingProviders()
    {
        GetStatsResponse before = await _client.GetStatsAsync(new GetStatsRequest());

        RoutingDecision decision = await _client.RouteAsync(Ask("dry", "fallback"));

        GetStatsResponse after = await _client.GetStatsAsync(new GetStatsRequest());
        Assert.That(decision.Candidates.Select(c => $"{c.Provider}/{c.Model}"), Is.EqualTo(new[] { "broken/broken-1", "mock/mock-1" }));
        Assert.That(after.Total.Requests, Is.EqualTo(before.Total.Requests));
    }

    [Test]
    public async Task ListProviders_AfterFailure_ShowsDegradedTargetWithError()
    {
        RpcException failed = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CompleteAsync(Ask("x", "broken"))))!;
        Assert.That(failed.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        AttemptLog attempts = AttemptLog.Parser.ParseFrom(failed.Trailers.GetValueBytes("x-cortex-attempts-bin"));
        Assert.That(attempts.Attempts, Is.Not.Empty, "the attempt log rides in the trailer");

        ListProvidersResponse providers = await _client.ListProvidersAsync(new ListProvidersRequest());

        ProviderTarget broken = providers.Providers.Single(p => p.Name == "broken").Targets.Single();
        Assert.That(broken.State, Is.EqualTo(ProviderState.Degraded));
        Assert.That(broken.LastError, Is.EqualTo("mock: injected server error"));
        Assert.That(providers.Providers.Select(p => p.Name), Is.Ordered);
        Assert.That(providers.Ledger, Is.EqualTo("ok"));
    }

    [Test]
    public async Task ResetStats_NewWindow_PublishesEventAndZeroesCurrentTotals()
    {
        await _client.CompleteAsync(Ask("count me"));

        ResetStatsResponse reset = await _client.ResetStatsAsync(new ResetStatsRequest());
        GetStatsResponse now = await _client.GetStatsAsync(new GetStatsRequest());

        Assert.That(reset.PreviousTotal.Requests, Is.GreaterThanOrEqualTo(1));
        Assert.That(now.Total.Requests, Is.Zero);
        Assert.That(now.WindowStartUnixMs, Is.EqualTo(reset.WindowStartUnixMs));
    }
}
