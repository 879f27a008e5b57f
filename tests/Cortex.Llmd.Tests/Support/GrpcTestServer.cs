using Cortex.Llmd.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Support;

/// <summary>The bare gRPC endpoint with test-defined methods, for wire-layer tests that need odd handlers.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private GrpcTestServer(WebApplication app, string directory, string socketPath)
    {
        _app = app;
        _directory = directory;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public static async Task<GrpcTestServer> StartAsync(
        Action<GrpcServiceRegistry> register, GrpcServerOptions? options = null, TimeProvider? time = null, HttpProtocols protocols = HttpProtocols.Http2)
    {
        string directory = TempDirectory.Create();
        string socketPath = Path.Combine(directory, "grpc.sock");
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socketPath, l => l.Protocols = protocols));
        WebApplication app = builder.Build();
        var registry = new GrpcServiceRegistry();
        register(registry);
        var endpoint = new GrpcEndpoint(registry, options ?? new GrpcServerOptions(), time ?? TimeProvider.System, NullLogger<GrpcEndpoint>.Instance);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        return new GrpcTestServer(app, directory, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        TempDirectory.Delete(_directory);
    }
}
