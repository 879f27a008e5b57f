using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Cortex.Llm.Client.Tests.Fakes;

/// <summary>
/// A stand-in for cortex-llmd: Kestrel serving HTTP/2 on a temporary Unix socket, where each test maps
/// the gRPC method paths it needs to a handler. Unmapped paths answer a plain 404, as an unknown route would.
/// </summary>
public sealed class FakeGrpcServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _handlers = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private FakeGrpcServer(WebApplication app, string socketPath)
    {
        _app = app;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Paths of every call received, in arrival order.</summary>
    public ConcurrentQueue<string> ReceivedPaths { get; } = new();

    public static async Task<FakeGrpcServer> StartAsync()
    {
        // Unix socket paths are limited to about 108 bytes, so keep the name short.
        string socketPath = Path.Combine(Path.GetTempPath(), "cortex-fake-" + Guid.NewGuid().ToString("N")[..10] + ".sock");
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        WebApplication app = builder.Build();
        var server = new FakeGrpcServer(app, socketPath);
        app.Run(server.DispatchAsync);
        await app.StartAsync();
        return server;
    }

    public void Map(string path, RequestDelegate handler) => _handlers[path] = handler;

    public void Reset()
    {
        _handlers.Clear();
        ReceivedPaths.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(SocketPath);
    }

    private Task DispatchAsync(HttpContext context)
    {
        ReceivedPaths.Enqueue(context.Request.Path.Value ?? string.Empty);
        if (_handlers.TryGetValue(context.Request.Path.Value ?? string.Empty, out RequestDelegate? handler))
        {
            return handler(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
