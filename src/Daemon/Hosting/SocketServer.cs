using Cortex.Llmd.Callers;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Hosting.Connections;
using Cortex.Llmd.Services;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Hosting;

/// <summary>
/// Kestrel on the daemon's Unix socket (HTTP/2 only) serving grpc-dotnet: the Router service, the
/// standard health service and, unless switched off, server reflection. The web host's own hosted
/// service is added last when the app is built, so it starts after the ledger opened and, stopped
/// first, drains calls (up to server.shutdownTimeout) before the ledger flushes.
/// </summary>
internal static class SocketServer
{
    public static void Add(WebApplicationBuilder builder, DaemonOptions options, string socketPath, DaemonAppSettings settings)
    {
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => Listen(kestrel, options, socketPath, settings));
        ConnectionBounds.Add(builder.Services, options.Server, OpenAiServer.Refusals(options.OpenAi, settings.InheritedOpenAiSocket));
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.Server.MaxReceiveMessageBytes;
            // Outermost first: access refusals leave before any handler or error logging runs.
            grpc.Interceptors.Add<AccessInterceptor>();
            grpc.Interceptors.Add<RequestParsedInterceptor>();
            grpc.Interceptors.Add<RouterErrorInterceptor>();
        });
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.Services.AddSingleton<CompletionLedgerMiddleware>();
        OpenAiServer.AddServices(builder.Services, options.OpenAi);
        if (options.Server.Reflection)
        {
            builder.Services.AddGrpcReflection();
        }
    }

    public static void Map(WebApplication app, DaemonOptions options)
    {
        CompletionLedgerMiddleware ledger = app.Services.GetRequiredService<CompletionLedgerMiddleware>();
        // The OpenAI-compatible door's connections never reach the gRPC pipeline, nor the socket's its endpoints.
        OpenAiServer.Map(app);
        app.Use(next => context => UnparsableRequestMiddleware.InvokeAsync(context, next));
        app.Use(next => context => ledger.InvokeAsync(context, next));
        app.UseRouting();
        app.MapGrpcService<RouterService>();
        app.MapGrpcService<HealthServiceImpl>();
        if (options.Server.Reflection)
        {
            app.MapGrpcReflectionService();
        }
    }

    private static void Listen(KestrelServerOptions kestrel, DaemonOptions options, string socketPath, DaemonAppSettings settings)
    {
        kestrel.AddServerHeader = false;
        ConnectionBounds.Apply(kestrel.Limits, options.Server);
        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(CallerIdentity.Middleware);
        };
        if (settings.InheritedSocket is { } inherited)
        {
            // Socket activation: systemd bound the socket and owns the file; we only accept on it.
            kestrel.ListenHandle((ulong)inherited.FileDescriptor, configure);
        }
        else
        {
            kestrel.ListenUnixSocket(socketPath, configure);
        }

        OpenAiServer.Listen(kestrel, options.OpenAi, settings.InheritedOpenAiSocket);
    }
}
