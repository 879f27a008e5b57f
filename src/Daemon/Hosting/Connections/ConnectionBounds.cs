using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// Every bound on a connection in one place: how many may be open (our listener) and what one may
/// cost (Kestrel's limits). The HTTP/2 values are Kestrel's defaults, written out so that the limits
/// docs/security.md promises cannot drift with a Kestrel upgrade.
/// </summary>
internal static class ConnectionBounds
{
    public const int HeaderTableSize = 4096;
    public const int MaxFrameSize = 16 * 1024;
    public const int MaxRequestHeaderFieldSize = 16 * 1024;
    public const int MaxRequestHeadersTotalSize = 32 * 1024;
    public const int MaxRequestHeaderCount = 100;
    public const int InitialConnectionWindowSize = 1024 * 1024;
    public const int InitialStreamWindowSize = 768 * 1024;
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Registers our listener factory; call after Kestrel is added, so that it is the one chosen.</summary>
    /// <param name="refusals">The refusal for each endpoint; HTTP/2's GOAWAY for every endpoint when null.</param>
    public static void Add(IServiceCollection services, ServerOptions server, Func<EndPoint, RefusalStyle>? refusals = null, IDescriptorLimit? descriptors = null)
    {
        services.AddSingleton(sp => new LimitedSocketTransportFactory(
            server, descriptors ?? new ProcessDescriptorLimit(), refusals ?? (_ => RefusalFrames.Http2), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IConnectionListenerFactory>(sp => sp.GetRequiredService<LimitedSocketTransportFactory>());
    }

    public static void Apply(KestrelServerLimits limits, ServerOptions server)
    {
        limits.KeepAliveTimeout = server.IdleTimeout;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        Http2Limits http2 = limits.Http2;
        http2.MaxStreamsPerConnection = server.MaxConcurrentStreams;
        http2.HeaderTableSize = HeaderTableSize;
        http2.MaxFrameSize = MaxFrameSize;
        http2.MaxRequestHeaderFieldSize = MaxRequestHeaderFieldSize;
        http2.InitialConnectionWindowSize = InitialConnectionWindowSize;
        http2.InitialStreamWindowSize = InitialStreamWindowSize;
        http2.KeepAlivePingDelay = server.KeepAlivePingInterval == TimeSpan.Zero ? TimeSpan.MaxValue : server.KeepAlivePingInterval;
        http2.KeepAlivePingTimeout = server.KeepAlivePingTimeout;
    }
}
