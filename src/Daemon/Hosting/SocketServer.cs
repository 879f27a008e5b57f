using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cortex.Llmd.Hosting;

/// <summary>
/// Kestrel on the daemon's socket as a plain hosted service. The daemon serves one request delegate
/// and needs none of the web host around it (WebApplication, routing, the hosting diagnostics
/// pipeline): running the server directly keeps about 4 MB of assemblies out of an idle process.
/// Registered last, so it starts after the ledger opened and, stopped first, drains calls before
/// the ledger flushes.
/// </summary>
internal sealed class SocketServer : IHostedService, IDisposable
{
    private readonly KestrelServer _server;
    private readonly RequestApplication _application;

    public SocketServer(KestrelServerOptions options, RequestDelegate handler, ILoggerFactory loggerFactory)
    {
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        _server = new KestrelServer(Options.Create(options), transport, loggerFactory);
        _application = new RequestApplication(handler);
    }

    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAsync(_application, cancellationToken);

    /// <summary>Stops accepting, then waits for in-flight calls until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);

    public void Dispose() => _server.Dispose();

    /// <summary>Hands each request to the gRPC endpoint as an <see cref="HttpContext"/> over Kestrel's features.</summary>
    private sealed class RequestApplication(RequestDelegate handler) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => handler(context);

        // Contexts are not pooled, so there is nothing to reset; DefaultHttpContext.Uninitialize would
        // also load the WebSockets and cryptography assemblies (~1.2 MB) only to clear fields.
        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
