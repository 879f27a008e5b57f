using System.Collections.Concurrent;
using Grpc.HealthCheck;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Services;

/// <summary>
/// Feeds the standard grpc.health.v1 service (<see cref="HealthServiceImpl"/>) from the daemon's own
/// sources. "" is the daemon as a whole. It remembers every name it was given, because the library's
/// service cannot list them and shutdown must turn all of them NOT_SERVING.
/// </summary>
public sealed class HealthService
{
    public const string ServiceName = "grpc.health.v1.Health";

    private readonly HealthServiceImpl _service;
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);

    public HealthService(HealthServiceImpl service)
    {
        _service = service;
        SetStatus(string.Empty, ServingStatus.Serving);
        SetStatus(RouterService.ServiceName, ServingStatus.Serving);
    }

    public void SetStatus(string service, ServingStatus status)
    {
        _names[service] = 0;
        _service.SetStatus(service, status);
    }

    /// <summary>At shutdown every service stops serving, so load balancers and watchers move away first.</summary>
    public void SetAllNotServing()
    {
        foreach (string service in _names.Keys)
        {
            SetStatus(service, ServingStatus.NotServing);
        }
    }
}
