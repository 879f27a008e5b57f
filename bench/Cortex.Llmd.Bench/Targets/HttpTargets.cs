using System.Net.Sockets;

namespace Cortex.Llmd.Bench.Targets;

/// <summary>The HTTP paths: the mock called directly, the daemon's OpenAI-compatible door, and Portkey's gateway.</summary>
internal static class HttpTargets
{
    public const string DirectName = "direct (HTTP to the mock)";
    public const string PortkeyName = "Portkey gateway 1.15.2";
    public const string DaemonOpenAiName = "cortex-llmd (OpenAI API)";

    private static readonly KeyValuePair<string, string> Key = new("Authorization", "Bearer sk-bench");

    /// <summary>The base URL of the daemon's door; the host is only the Host header, the Unix socket is the connection.</summary>
    private static readonly Uri DaemonOpenAiBase = new("http://localhost/v1");

    /// <summary>One HttpClient for every TCP path: enough pooled HTTP/1.1 connections for c=256 and the open loop.</summary>
    public static HttpClient SharedClient() => new(Handler())
    {
        Timeout = TimeSpan.FromSeconds(120),
    };

    /// <summary>
    /// The same pool of HTTP/1.1 keep-alive connections as <see cref="SharedClient"/>, each one a connection
    /// to <paramref name="socketPath"/>: the daemon's door is reached over the same kind of socket as its gRPC.
    /// </summary>
    public static HttpClient UnixSocketClient(string socketPath)
    {
        SocketsHttpHandler handler = Handler();
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        handler.ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
    }

    private static SocketsHttpHandler Handler() => new()
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The mock itself. Its fallback is the client's own: the failing model, then the good one.</summary>
    public static HttpTarget Direct(HttpClient client, Uri mock) => new(
        DirectName,
        client,
        ChatCompletions(mock),
        [Key],
        new Dictionary<Workload, HttpCall[]>
        {
            [Workload.Plain] = [Call(Conversation.OpenAiBody("bench", stream: false))],
            [Workload.Fallback] = [Call(Conversation.OpenAiBody("fail-500", stream: false)), Call(Conversation.OpenAiBody("bench", stream: false))],
            [Workload.ShortStream] = [Call(Conversation.OpenAiBody("bench", stream: true))],
            [Workload.LongStream] = [Call(Conversation.OpenAiBody(Conversation.LongModel, stream: true))],
        },
        gatewayPid: null);

    /// <summary>
    /// cortex-llmd's own OpenAI-compatible endpoint, over a client from <see cref="UnixSocketClient"/>. The
    /// model field names the daemon's routes (<c>cortex/ROUTE</c>), the same routes the gRPC path uses, so
    /// the fallback is the daemon's: one call whose route's first target answers 500.
    /// </summary>
    public static HttpTarget DaemonOpenAi(HttpClient unixSocketClient, int pid) => new(
        DaemonOpenAiName,
        unixSocketClient,
        ChatCompletions(DaemonOpenAiBase),
        [Key],
        new Dictionary<Workload, HttpCall[]>
        {
            [Workload.Plain] = [Call(Conversation.OpenAiBody("cortex/" + DaemonConfig.PlainRoute, stream: false))],
            [Workload.Fallback] = [Call(Conversation.OpenAiBody("cortex/" + DaemonConfig.FallbackRoute, stream: false))],
            [Workload.ShortStream] = [Call(Conversation.OpenAiBody("cortex/" + DaemonConfig.PlainRoute, stream: true))],
            [Workload.LongStream] = [Call(Conversation.OpenAiBody("cortex/" + DaemonConfig.LongRoute, stream: true, limitTokens: false))],
        },
        pid);

    /// <summary>
    /// Portkey with its "openai" provider pointed at the mock (x-portkey-custom-host; 127.0.0.1 is among its
    /// default trusted custom hosts). The fallback is a Portkey config in x-portkey-config: strategy
    /// "fallback" over two targets, the failing model then the good one.
    /// </summary>
    public static HttpTarget Portkey(HttpClient client, Uri portkey, Uri mock, int pid)
    {
        string host = mock.ToString().TrimEnd('/');
        string fallbackConfig = $$$"""
            {"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","api_key":"sk-bench","custom_host":"{{{host}}}","override_params":{"model":"fail-500"}},{"provider":"openai","api_key":"sk-bench","custom_host":"{{{host}}}","override_params":{"model":"bench"}}]}
            """.Trim();
        return new HttpTarget(
            PortkeyName,
            client,
            ChatCompletions(portkey),
            [Key, new("x-portkey-provider", "openai"), new("x-portkey-custom-host", host)],
            new Dictionary<Workload, HttpCall[]>
            {
                [Workload.Plain] = [Call(Conversation.OpenAiBody("bench", stream: false))],
                [Workload.Fallback] = [new HttpCall(Conversation.OpenAiBody("bench", stream: false), [new("x-portkey-config", fallbackConfig)])],
                [Workload.ShortStream] = [Call(Conversation.OpenAiBody("bench", stream: true))],
                [Workload.LongStream] = [Call(Conversation.OpenAiBody(Conversation.LongModel, stream: true))],
            },
            pid);
    }

    private static Uri ChatCompletions(Uri baseUrl) => new(baseUrl.ToString().TrimEnd('/') + "/chat/completions");

    private static HttpCall Call(byte[] body) => new(body, []);
}
