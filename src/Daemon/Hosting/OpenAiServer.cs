using System.Net;
using System.Net.Sockets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Hosting.Connections;
using Cortex.Llmd.OpenAi;
using Cortex.Llmd.Systemd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Hosting;

/// <summary>
/// The OpenAI-compatible door's listeners in the same Kestrel as the gRPC socket: its Unix socket, its
/// TCP address, or the socket systemd passed for it; HTTP/1.1, or HTTP/2 with prior knowledge when
/// openai.protocol says so (one per listener: see <see cref="OpenAiOptions.Http2"/>). Its connections are
/// marked when they open, and a marked connection's requests go to <see cref="OpenAiEndpoint"/> only.
/// </summary>
internal static class OpenAiServer
{
    private const string DoorItem = "cortex.door.openai";

    public static void Listen(KestrelServerOptions kestrel, OpenAiOptions options, InheritedSocket? inherited)
    {
        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = options.Http2 ? HttpProtocols.Http2 : HttpProtocols.Http1;
            listen.Use(Mark);
            listen.Use(CallerIdentity.Middleware);
        };
        if (inherited is not null)
        {
            kestrel.ListenHandle((ulong)inherited.FileDescriptor, configure);
        }
        else if (options.SocketPath is { } path)
        {
            kestrel.ListenUnixSocket(path, configure);
        }

        if (options.TcpAddress is { } address)
        {
            kestrel.Listen(address, configure);
        }
    }

    /// <summary>
    /// How a connection the limits refuse is told so: an HTTP/1.1 response on the door's HTTP/1.1
    /// listeners, HTTP/2's GOAWAY everywhere else (the gRPC socket, and the door's listeners set to http2).
    /// </summary>
    public static Func<EndPoint, RefusalStyle> Refusals(OpenAiOptions options, InheritedSocket? inherited) => endpoint =>
        !options.Http2 && IsDoor(endpoint, options, inherited) ? Http1Refusal.Style : RefusalFrames.Http2;

    private static bool IsDoor(EndPoint endpoint, OpenAiOptions options, InheritedSocket? inherited) => endpoint switch
    {
        FileHandleEndPoint handle => inherited is not null && handle.FileHandle == (ulong)inherited.FileDescriptor,
        UnixDomainSocketEndPoint socket => inherited is null && options.SocketPath is { } path && socket.ToString() == path,
        IPEndPoint address => address.Equals(options.TcpAddress),
        _ => false,
    };

    /// <summary>The door's services; registered whether or not it listens, as they cost nothing until called.</summary>
    public static void AddServices(IServiceCollection services, OpenAiOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ModelCatalogCache>();
        services.AddSingleton<ChatCompletionsHandler>();
        services.AddSingleton<OpenAiEndpoint>();
    }

    public static void Map(WebApplication app)
    {
        OpenAiEndpoint endpoint = app.Services.GetRequiredService<OpenAiEndpoint>();
        app.Use(next => context => IsOpenAiDoor(context) ? endpoint.InvokeAsync(context) : next(context));
    }

    private static bool IsOpenAiDoor(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(DoorItem) == true;

    private static ConnectionDelegate Mark(ConnectionDelegate next) => connection =>
    {
        connection.Items[DoorItem] = null;
        return next(connection);
    };
}
