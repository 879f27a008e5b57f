using System.Collections.Concurrent;
using System.Threading.Channels;
using Cortex.Llm.Wire;
using Cortex.Llmd.Grpc;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Services;

/// <summary>The standard grpc.health.v1.Health service. "" is the daemon as a whole.</summary>
public sealed class HealthService
{
    public const string ServiceName = "grpc.health.v1.Health";

    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, string> _watchers = new();

    public HealthService()
    {
        _statuses[string.Empty] = ServingStatus.Serving;
        _statuses[RouterService.ServiceName] = ServingStatus.Serving;
    }

    public void Register(GrpcServiceRegistry registry)
    {
        registry.AddUnary<HealthCheckRequest, HealthCheckResponse>(ServiceName, "Check", HealthCheckRequest.Parser, CheckAsync);
        registry.AddServerStreaming<HealthCheckRequest, HealthCheckResponse>(ServiceName, "Watch", HealthCheckRequest.Parser, WatchAsync);
    }

    public void SetStatus(string service, ServingStatus status)
    {
        _statuses[service] = status;
        foreach ((Channel<ServingStatus> channel, string watched) in _watchers)
        {
            if (watched == service)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }

    /// <summary>At shutdown every service stops serving, so load balancers and watchers move away first.</summary>
    public void SetAllNotServing()
    {
        foreach (string service in _statuses.Keys)
        {
            SetStatus(service, ServingStatus.NotServing);
        }
    }

    public Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context) =>
        _statuses.TryGetValue(request.Service, out ServingStatus status)
            ? Task.FromResult(new HealthCheckResponse { Status = status })
            : throw new RpcException(GrpcStatusCode.NotFound, $"unknown service '{request.Service}'");

    public async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> writer, ServerCallContext context)
    {
        // Latest status wins: a watcher that reads slowly only needs the current one.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        _watchers[channel] = request.Service;
        try
        {
            ServingStatus current = _statuses.TryGetValue(request.Service, out ServingStatus s) ? s : ServingStatus.ServiceUnknown;
            await writer.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken).ConfigureAwait(false);
            ServingStatus last = current;
            await foreach (ServingStatus next in channel.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (next != last)
                {
                    last = next;
                    await writer.WriteAsync(new HealthCheckResponse { Status = next }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }
}
