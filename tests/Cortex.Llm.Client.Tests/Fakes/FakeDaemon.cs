using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Llm.Client.Tests.Fakes;

/// <summary>
/// A stand-in for cortex-llmd: grpc-dotnet on Kestrel, HTTP/2 only, on a temporary Unix socket, serving a
/// <see cref="FakeRouter"/> and the standard health service.
/// </summary>
public sealed class FakeDaemon : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeDaemon(WebApplication app, string socketPath, FakeRouter router, HealthServiceImpl health)
    {
        _app = app;
        SocketPath = socketPath;
        Router = router;
        Health = health;
    }

    public string SocketPath { get; }

    public FakeRouter Router { get; }

    public HealthServiceImpl Health { get; }

    public static async Task<FakeDaemon> StartAsync()
    {
        // Unix socket paths are limited to about 108 bytes, so keep the name short.
        string socketPath = Path.Combine(Path.GetTempPath(), "cortex-fake-" + Guid.NewGuid().ToString("N")[..10] + ".sock");
        var router = new FakeRouter();
        var health = new HealthServiceImpl();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(router);
        builder.Services.AddSingleton(health);
        WebApplication app = builder.Build();
        app.MapGrpcService<FakeRouter>();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        return new FakeDaemon(app, socketPath, router, health);
    }

    public void Reset()
    {
        Router.Reset();
        Health.ClearAll();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(SocketPath);
    }
}
