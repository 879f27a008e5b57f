using System.Net;
using System.Net.Sockets;
using Cortex.Llm.Wire;
using Google.Protobuf;
using Grpc.Health.V1;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// A grpc.health.v1.Health/Check sent to our own Unix socket: it goes through Kestrel, the caller
/// identity middleware, the gRPC wire layer and the handler, exactly like a client's request.
/// </summary>
public sealed class GrpcHealthProbe : ILivenessProbe, IDisposable
{
    private const string CheckPath = "/grpc.health.v1.Health/Check";
    private static readonly byte[] Body = Frame(new HealthCheckRequest().ToByteArray());
    private readonly HttpClient _http;

    public GrpcHealthProbe(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            // A fresh connection each time would also test accept(); pooling keeps the probe cheap, and
            // a dead pooled connection fails the probe just the same.
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CheckPath)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            string? status = response.TrailingHeaders.TryGetValues(GrpcProtocol.StatusHeader, out IEnumerable<string>? values)
                || response.Headers.TryGetValues(GrpcProtocol.StatusHeader, out values)
                ? values.FirstOrDefault()
                : null;
            return response.StatusCode == HttpStatusCode.OK && status == "0"
                && bytes.Length >= GrpcFrame.HeaderSize
                && HealthCheckResponse.Parser.ParseFrom(bytes, GrpcFrame.HeaderSize, bytes.Length - GrpcFrame.HeaderSize).Status
                    == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static byte[] Frame(byte[] payload)
    {
        byte[] framed = new byte[GrpcFrame.HeaderSize + payload.Length];
        GrpcFrame.WriteHeader(framed, compressed: false, payload.Length);
        payload.CopyTo(framed, GrpcFrame.HeaderSize);
        return framed;
    }

    public void Dispose() => _http.Dispose();
}
