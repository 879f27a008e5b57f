using System.Runtime.CompilerServices;
using Cortex.Llm.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Cortex.Llm.Client;

/// <summary>
/// A client of cortex-llmd's v1 API (cortex.llm.v1.Router and grpc.health.v1.Health): the generated clients,
/// with failures to connect reported as <see cref="CortexUnreachableException"/>. Thread-safe; calls share one
/// channel, so create one instance and reuse it. Errors are <see cref="RpcException"/>s;
/// <see cref="CortexErrors.GetAttemptLog"/> reads what the daemon tried.
/// </summary>
public sealed class CortexLlmClient : IDisposable
{
    private readonly GrpcChannel? _ownedChannel;

    /// <summary>Connects to the daemon's Unix socket (see <see cref="CortexSocket.DefaultPath"/>).</summary>
    public CortexLlmClient(string socketPath)
        : this(CortexChannel.ForSocket(socketPath), socketPath)
    {
    }

    /// <summary>Sends calls through a caller's invoker (a channel of their own, or one with interceptors).</summary>
    public CortexLlmClient(CallInvoker invoker)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        Router = new Router.RouterClient(invoker);
        Health = new Health.HealthClient(invoker);
    }

    private CortexLlmClient(GrpcChannel channel, string socketPath)
        : this(channel.CreateCallInvoker())
    {
        _ownedChannel = channel;
        SocketPath = socketPath;
    }

    /// <summary>The socket this client connects to, or null when built over a caller's invoker.</summary>
    public string? SocketPath { get; }

    /// <summary>The generated client, for response headers, trailers and anything the wrapper does not cover.</summary>
    public Router.RouterClient Router { get; }

    /// <summary>The generated grpc.health.v1 client.</summary>
    public Health.HealthClient Health { get; }

    public Task<CompleteResponse> CompleteAsync(CompleteRequest request, CallOptions options = default) =>
        UnaryAsync(Router.CompleteAsync(request, options));

    /// <summary>Content deltas, tool-call deltas, then a final chunk. Stopping the enumeration cancels the call.</summary>
    public IAsyncEnumerable<CompleteChunk> StreamCompleteAsync(CompleteRequest request, CallOptions options = default) =>
        ReadAllAsync(Router.StreamComplete(request, options));

    public Task<RoutingDecision> RouteAsync(CompleteRequest request, CallOptions options = default) =>
        UnaryAsync(Router.RouteAsync(request, options));

    public Task<GetStatsResponse> GetStatsAsync(GetStatsRequest request, CallOptions options = default) =>
        UnaryAsync(Router.GetStatsAsync(request, options));

    public Task<ResetStatsResponse> ResetStatsAsync(ResetStatsRequest? request = null, CallOptions options = default) =>
        UnaryAsync(Router.ResetStatsAsync(request ?? new ResetStatsRequest(), options));

    public Task<ListProvidersResponse> ListProvidersAsync(ListProvidersRequest? request = null, CallOptions options = default) =>
        UnaryAsync(Router.ListProvidersAsync(request ?? new ListProvidersRequest(), options));

    /// <summary>Follows the daemon's events until the enumeration stops or the call is cancelled.</summary>
    public IAsyncEnumerable<Event> WatchEventsAsync(WatchEventsRequest? request = null, CallOptions options = default) =>
        ReadAllAsync(Router.WatchEvents(request ?? new WatchEventsRequest(), options));

    /// <summary>grpc.health.v1.Health/Check; the empty service name asks about the daemon as a whole.</summary>
    public Task<HealthCheckResponse> CheckHealthAsync(string service = "", CallOptions options = default) =>
        UnaryAsync(Health.CheckAsync(new HealthCheckRequest { Service = service }, options));

    /// <summary>grpc.health.v1.Health/Watch: the current status, then every change.</summary>
    public IAsyncEnumerable<HealthCheckResponse> WatchHealthAsync(string service = "", CallOptions options = default) =>
        ReadAllAsync(Health.Watch(new HealthCheckRequest { Service = service }, options));

    public void Dispose() => _ownedChannel?.Dispose();

    private async Task<T> UnaryAsync<T>(AsyncUnaryCall<T> call)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw CortexErrors.Translate(e, SocketPath);
            }
        }
    }

    /// <summary>The enumeration's token cancels the call; leaving the loop early disposes it, which resets the stream.</summary>
    private async IAsyncEnumerable<T> ReadAllAsync<T>(AsyncServerStreamingCall<T> call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using (call)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e)
                {
                    throw CortexErrors.Translate(e, SocketPath);
                }

                if (!more)
                {
                    yield break;
                }

                yield return call.ResponseStream.Current;
            }
        }
    }
}
