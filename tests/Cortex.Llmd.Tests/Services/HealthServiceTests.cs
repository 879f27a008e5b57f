using Cortex.Llm.Client;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Services;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Tests.Services;

/// <summary>The standard grpc.health.v1 service, fed by the daemon's own sources, through the socket.</summary>
public class HealthServiceTests
{
    private TestDaemon _daemon = null!;
    private GrpcChannel _channel = null!;
    private Grpc.Health.V1.Health.HealthClient _client = null!;

    [SetUp]
    public async Task Start()
    {
        _daemon = await TestDaemon.StartAsync();
        _channel = CortexChannel.ForSocket(_daemon.SocketPath);
        _client = new Grpc.Health.V1.Health.HealthClient(_channel);
    }

    [TearDown]
    public async Task Stop()
    {
        _channel.Dispose();
        await _daemon.DisposeAsync();
    }

    [TestCase("")]
    [TestCase(RouterService.ServiceName)]
    [TestCase(LedgerService.HealthName)]
    public async Task Check_KnownService_IsServing(string service)
    {
        HealthCheckResponse response = await _client.CheckAsync(new HealthCheckRequest { Service = service });

        Assert.That(response.Status, Is.EqualTo(ServingStatus.Serving));
    }

    [Test]
    public async Task Check_UnknownService_IsNotFound()
    {
        RpcException ex = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" })))!;

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public async Task Watch_ShutdownBegins_WatcherSeesNotServing()
    {
        using AsyncServerStreamingCall<HealthCheckResponse> watch = _client.Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.That(await watch.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        Assert.That(watch.ResponseStream.Current.Status, Is.EqualTo(ServingStatus.Serving));

        _daemon.App.Services.GetRequiredService<HealthService>().SetAllNotServing();

        Assert.That(await watch.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        Assert.That(watch.ResponseStream.Current.Status, Is.EqualTo(ServingStatus.NotServing));
        HealthCheckResponse router = await _client.CheckAsync(new HealthCheckRequest { Service = RouterService.ServiceName });
        Assert.That(router.Status, Is.EqualTo(ServingStatus.NotServing));
    }
}
