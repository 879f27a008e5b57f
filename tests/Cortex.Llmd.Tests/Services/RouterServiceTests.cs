using Cortex.Llm.V1;
using Cortex.Llm.Wire;
using Cortex.Llmd.Events;
using Cortex.Llmd.Tests.Support;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Tests.Services;

/// <summary>The Router service through the real socket, with the daemon's own state checked behind it.</summary>
public class RouterServiceTests
{
    private TestDaemon _daemon = null!;
    private RawGrpcClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _daemon = await TestDaemon.StartAsync();
        _client = new RawGrpcClient(_daemon.SocketPath);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _daemon.DisposeAsync();
    }

    private async Task<(RawResponse Raw, T Message)> Call<T>(string method, IMessage request, MessageParser<T> parser, params KeyValuePair<string, string>[] headers)
        where T : IMessage<T>
    {
        RawResponse raw = await _client.SendAsync("/cortex.llm.v1.Router/" + method, RawGrpcClient.Frame(request), headers: headers);
        Assert.That(raw.Status, Is.EqualTo(GrpcStatusCode.OK), raw.Message);
        return (raw, parser.ParseFrom(raw.Messages.Single()));
    }

    private static CompleteRequest Ask(string prompt, string route = "") =>
        new() { Route = route, TenantId = "tenant-a", Messages = { new Message { Role = Role.User, Content = prompt } } };

    [Test]
    public async Task Complete_AnyCall_RecordsCallerFromPeerCredentials()
    {
        EventHub hub = _daemon.App.Services.GetRequiredService<EventHub>();
        using EventSubscription events = hub.Subscribe([EventKind.RequestFinished]);

        await Call("Complete", Ask("who am I"), CompleteResponse.Parser);

        Event finished = await events.ReadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.That(finished.RequestFinished.Caller.Pid, Is.EqualTo((uint)Environment.ProcessId));
        Assert.That(finished.RequestFinished.Caller.Uid, Is.EqualTo(Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId()));
        Assert.That(finished.RequestFinished.Caller.ProcessName, Is.Not.Empty);
        Assert.That(finished.RequestFinished.TenantId, Is.EqualTo("tenant-a"));
        Assert.That(finished.RequestFinished.Status, Is.EqualTo("OK"));
    }

    [Test]
    public async Task Complete_CallerRequestIdAndCorrelation_AreEchoed()
    {
        byte[] correlation = [0, 255, 7, 128];
        (RawResponse raw, CompleteResponse response) = await Call("Complete", Ask("id please"), CompleteResponse.Parser,
            new("x-cortex-request-id", "caller-42"), new("x-cortex-correlation-bin", BinaryMetadata.Encode(correlation)));

        Assert.That(response.RequestId, Is.EqualTo("caller-42"));
        Assert.That(raw.Value("x-cortex-request-id"), Is.EqualTo("caller-42"));
        Assert.That(BinaryMetadata.TryDecode(raw.Value("x-cortex-correlation-bin")!, out byte[] echoed), Is.True);
        Assert.That(echoed, Is.EqualTo(correlation));
    }

    [Test]
    public async Task Complete_UnsafeRequestId_IsReplacedByGeneratedOne()
    {
        (RawResponse raw, CompleteResponse response) = await Call("Complete", Ask("id"), CompleteResponse.Parser, new KeyValuePair<string, string>("x-cortex-request-id", "bad id; drop table"));

        Assert.That(response.RequestId, Does.StartWith("req_"));
        Assert.That(raw.Value("x-cortex-request-id"), Is.EqualTo(response.RequestId));
    }

    [Test]
    public async Task GetStats_AfterCalls_CountsThemByRoute()
    {
        var before = (await Call("GetStats", new GetStatsRequest { GroupBy = GroupBy.Route }, GetStatsResponse.Parser)).Message;
        await Call("Complete", Ask("a", "fallback"), CompleteResponse.Parser);
        await Call("Complete", Ask("b", "fallback"), CompleteResponse.Parser);

        var after = (await Call("GetStats", new GetStatsRequest { GroupBy = GroupBy.Route }, GetStatsResponse.Parser)).Message;

        StatsGroup Fallback(GetStatsResponse s) => s.Groups.FirstOrDefault(g => g.Key == "fallback") ?? new StatsGroup();
        Assert.That(Fallback(after).Requests - Fallback(before).Requests, Is.EqualTo(2));
        Assert.That(Fallback(after).Fallbacks - Fallback(before).Fallbacks, Is.EqualTo(2), "broken first, then default");
        Assert.That(Fallback(after).Attempts - Fallback(before).Attempts, Is.EqualTo(4));
        Assert.That(after.InFlight, Is.Zero);
    }

    [Test]
    public async Task Route_FallbackRoute_ListsChainWithoutCallingProviders()
    {
        var before = (await Call("GetStats", new GetStatsRequest(), GetStatsResponse.Parser)).Message;

        RoutingDecision decision = (await Call("Route", Ask("dry", "fallback"), RoutingDecision.Parser)).Message;

        var after = (await Call("GetStats", new GetStatsRequest(), GetStatsResponse.Parser)).Message;
        Assert.That(decision.Candidates.Select(c => $"{c.Provider}/{c.Model}"), Is.EqualTo(new[] { "broken/broken-1", "mock/mock-1" }));
        Assert.That(after.Total.Requests, Is.EqualTo(before.Total.Requests));
    }

    [Test]
    public async Task ListProviders_AfterFailure_ShowsDegradedTargetWithError()
    {
        RawResponse failed = await _client.SendAsync("/cortex.llm.v1.Router/Complete", RawGrpcClient.Frame(Ask("x", "broken")));
        Assert.That(failed.Status, Is.EqualTo(GrpcStatusCode.Unavailable));

        ListProvidersResponse providers = (await Call("ListProviders", new ListProvidersRequest(), ListProvidersResponse.Parser)).Message;

        ProviderTarget broken = providers.Providers.Single(p => p.Name == "broken").Targets.Single();
        Assert.That(broken.State, Is.EqualTo(ProviderState.Degraded));
        Assert.That(broken.LastError, Is.EqualTo("mock: injected server error"));
        Assert.That(providers.Providers.Select(p => p.Name), Is.Ordered);
        Assert.That(providers.Ledger, Is.EqualTo("ok"));
    }

    [Test]
    public async Task ResetStats_NewWindow_PublishesEventAndZeroesCurrentTotals()
    {
        await Call("Complete", Ask("count me"), CompleteResponse.Parser);

        ResetStatsResponse reset = (await Call("ResetStats", new ResetStatsRequest(), ResetStatsResponse.Parser)).Message;
        GetStatsResponse now = (await Call("GetStats", new GetStatsRequest(), GetStatsResponse.Parser)).Message;

        Assert.That(reset.PreviousTotal.Requests, Is.GreaterThanOrEqualTo(1));
        Assert.That(now.Total.Requests, Is.Zero);
        Assert.That(now.WindowStartUnixMs, Is.EqualTo(reset.WindowStartUnixMs));
    }
}
