using System.Net;

namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// The one HttpClient each HTTP provider owns: pooled connections, HTTP/1.1 or HTTP/2 as the server
/// offers, and no client-level timeout (attempt timeouts and the caller's deadline cancel instead).
/// </summary>
public static class ProviderHttp
{
    public static HttpClient CreateClient(Uri baseAddress, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            EnableMultipleHttp2Connections = true,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
    }
}
