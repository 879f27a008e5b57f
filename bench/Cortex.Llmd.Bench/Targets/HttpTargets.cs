namespace Cortex.Llmd.Bench.Targets;

/// <summary>The HTTP paths: the mock called directly, and Portkey's gateway in front of it.</summary>
internal static class HttpTargets
{
    public const string DirectName = "direct (HTTP to the mock)";
    public const string PortkeyName = "Portkey gateway 1.15.2";
    public const string DaemonOpenAiName = "cortex-llmd (OpenAI API)";

    private static readonly KeyValuePair<string, string> Key = new("Authorization", "Bearer sk-bench");

    /// <summary>One HttpClient for every HTTP path: enough pooled HTTP/1.1 connections for c=256 and the open loop.</summary>
    public static HttpClient SharedClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = TimeSpan.FromSeconds(120),
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
