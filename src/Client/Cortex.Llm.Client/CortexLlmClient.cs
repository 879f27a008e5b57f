using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Cortex.Llm.V1;
using Google.Protobuf;
using Grpc.Health.V1;

namespace Cortex.Llm.Client;

/// <summary>
/// A client of cortex-llmd's v1 API (cortex.llm.v1.Router and grpc.health.v1.Health). Thread-safe; calls
/// share one HTTP/2 connection pool, so create one instance and reuse it.
/// </summary>
public sealed class CortexLlmClient : IDisposable
{
    private const string Router = "/cortex.llm.v1.Router/";
    private const string Health = "/grpc.health.v1.Health/";

    private readonly HttpClient _http;

    /// <summary>Connects to the daemon's Unix socket (see <see cref="CortexSocket.DefaultPath"/>).</summary>
    public CortexLlmClient(string socketPath)
        : this(CreateSocketHandler(socketPath), disposeHandler: true)
    {
        SocketPath = socketPath;
    }

    /// <summary>Sends calls through <paramref name="handler"/>, which must speak HTTP/2 without TLS.</summary>
    public CortexLlmClient(HttpMessageHandler handler, bool disposeHandler = true)
    {
        _http = new HttpClient(handler, disposeHandler)
        {
            BaseAddress = new Uri("http://localhost"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            // Deadlines are per call (CallOptions.Timeout); a global timeout would cut event streams.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("cortex-llm-client/" + typeof(CortexLlmClient).Assembly.GetName().Version?.ToString(3));
    }

    /// <summary>The socket this client connects to, or null when built over a custom handler.</summary>
    public string? SocketPath { get; }

    public async Task<CompleteResponse> CompleteAsync(CompleteRequest request, CallOptions? options = null) =>
        (await CompleteWithMetadataAsync(request, options).ConfigureAwait(false)).Response;

    /// <summary>Like <see cref="CompleteAsync"/>, with the response headers (x-cortex-request-id) and trailers.</summary>
    public Task<CallResult<CompleteResponse>> CompleteWithMetadataAsync(CompleteRequest request, CallOptions? options = null) =>
        UnaryAsync(Router + "Complete", request, CompleteResponse.Parser, options);

    /// <summary>Content deltas, tool-call deltas, then a final chunk. Stopping the enumeration cancels the call.</summary>
    public IAsyncEnumerable<CompleteChunk> StreamCompleteAsync(CompleteRequest request, CallOptions? options = null) =>
        StreamAsync(Router + "StreamComplete", request, CompleteChunk.Parser, options);

    /// <summary>Starts StreamComplete and returns once the response headers are in; the caller disposes the call.</summary>
    public Task<ServerStreamingCall<CompleteChunk>> StartStreamCompleteAsync(CompleteRequest request, CallOptions? options = null) =>
        StartAsync(Router + "StreamComplete", request, CompleteChunk.Parser, options);

    public async Task<RoutingDecision> RouteAsync(CompleteRequest request, CallOptions? options = null) =>
        (await UnaryAsync(Router + "Route", request, RoutingDecision.Parser, options).ConfigureAwait(false)).Response;

    public async Task<GetStatsResponse> GetStatsAsync(GetStatsRequest request, CallOptions? options = null) =>
        (await UnaryAsync(Router + "GetStats", request, GetStatsResponse.Parser, options).ConfigureAwait(false)).Response;

    public async Task<ResetStatsResponse> ResetStatsAsync(ResetStatsRequest? request = null, CallOptions? options = null) =>
        (await UnaryAsync(Router + "ResetStats", request ?? new ResetStatsRequest(), ResetStatsResponse.Parser, options).ConfigureAwait(false)).Response;

    public async Task<ListProvidersResponse> ListProvidersAsync(ListProvidersRequest? request = null, CallOptions? options = null) =>
        (await UnaryAsync(Router + "ListProviders", request ?? new ListProvidersRequest(), ListProvidersResponse.Parser, options).ConfigureAwait(false)).Response;

    /// <summary>Follows the daemon's events until the enumeration stops or the call is cancelled.</summary>
    public IAsyncEnumerable<Event> WatchEventsAsync(WatchEventsRequest? request = null, CallOptions? options = null) =>
        StreamAsync(Router + "WatchEvents", request ?? new WatchEventsRequest(), Event.Parser, options);

    /// <summary>grpc.health.v1.Health/Check; the empty service name asks about the daemon as a whole.</summary>
    public async Task<HealthCheckResponse> CheckHealthAsync(string service = "", CallOptions? options = null) =>
        (await UnaryAsync(Health + "Check", new HealthCheckRequest { Service = service }, HealthCheckResponse.Parser, options).ConfigureAwait(false)).Response;

    /// <summary>grpc.health.v1.Health/Watch: the current status, then every change.</summary>
    public IAsyncEnumerable<HealthCheckResponse> WatchHealthAsync(string service = "", CallOptions? options = null) =>
        StreamAsync(Health + "Watch", new HealthCheckRequest { Service = service }, HealthCheckResponse.Parser, options);

    public void Dispose() => _http.Dispose();

    private Task<ServerStreamingCall<T>> StartAsync<T>(
        string path, IMessage request, MessageParser<T> parser, CallOptions? options, CancellationToken enumeratorToken = default)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(request);
        return ServerStreamingCall<T>.StartAsync(_http, SocketPath, path, request, parser, options, enumeratorToken);
    }

    /// <summary>A unary call is a server stream that must carry exactly one message before status OK.</summary>
    private async Task<CallResult<T>> UnaryAsync<T>(string path, IMessage request, MessageParser<T> parser, CallOptions? options)
        where T : class, IMessage<T>
    {
        using ServerStreamingCall<T> call = await StartAsync(path, request, parser, options).ConfigureAwait(false);
        T response = await call.ReadNextAsync().ConfigureAwait(false)
            ?? throw call.ProtocolError("Unary call ended with status OK but without a response message.");
        if (await call.ReadNextAsync().ConfigureAwait(false) is not null)
        {
            throw call.ProtocolError("Unary call returned more than one response message.");
        }

        return new CallResult<T>(response, call.ResponseHeaders, call.ResponseTrailers ?? new Metadata());
    }

    private async IAsyncEnumerable<T> StreamAsync<T>(
        string path, IMessage request, MessageParser<T> parser, CallOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        using ServerStreamingCall<T> call = await StartAsync(path, request, parser, options, cancellationToken).ConfigureAwait(false);
        while (await call.ReadNextAsync().ConfigureAwait(false) is { } item)
        {
            yield return item;
        }
    }

    private static SocketsHttpHandler CreateSocketHandler(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        return new SocketsHttpHandler
        {
            // Kestrel allows 100 streams per connection; long event streams must not starve other calls.
            EnableMultipleHttp2Connections = true,
            ConnectCallback = (_, cancellationToken) => ConnectAsync(socketPath, cancellationToken),
        };
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
