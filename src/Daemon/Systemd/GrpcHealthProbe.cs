using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// A grpc.health.v1.Health/Check sent to our own Unix socket through the generated health client: it
/// goes through Kestrel, the caller identity middleware, grpc-dotnet and the health service, exactly
/// like a client's request.
/// </summary>
public sealed class GrpcHealthProbe : ILivenessProbe, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Grpc.Health.V1.Health.HealthClient _client;

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
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        _client = new Grpc.Health.V1.Health.HealthClient(_channel);
    }

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            HealthCheckResponse response = await _client.CheckAsync(new HealthCheckRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    public void Dispose() => _channel.Dispose();
}
