using Cortex.Llm.Client;
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
        // The client library's channel: the probe connects exactly the way Cortex components do.
        _channel = CortexChannel.ForSocket(socketPath);
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
