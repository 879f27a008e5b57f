namespace Cortex.Llmd.Bench.Targets;

/// <summary>
/// The daemon's config for the bench: one <c>openai</c>-kind provider whose baseUrl is the mock, and the
/// routes the workloads name. Refusal hold-back is 0 (<c>validation.refusalWindow</c>), so streamed text is
/// passed on as it arrives and the added time to first chunk is the daemon's own. The OpenAI-compatible
/// door listens on a Unix socket beside the gRPC one (HTTP/1.1, the default protocol); every closed-loop
/// caller and open-loop call in flight holds its own HTTP/1.1 connection there, so the per-uid connection
/// limit (64 by default) is raised above the bench's 512 pooled connections.
/// </summary>
internal static class DaemonConfig
{
    public const string PlainRoute = "bench";
    public const string FallbackRoute = "fallback";
    public const string LongRoute = "long";

    /// <param name="durability">ledger.durability, written into the config so every report states its mode.</param>
    /// <param name="openAiSocket">openai.socketPath: the Unix socket of the OpenAI-compatible door.</param>
    public static string Json(Uri mockBaseUrl, string ledgerPath, string? durability, string openAiSocket)
    {
        string durabilityKey = $$""", "durability": "{{durability ?? "crash"}}" """;
        return $$"""
            {
              "logging": { "level": "warning" },
              "server": { "maxConnections": 2048, "maxConnectionsPerUid": 1024 },
              "openai": { "socketPath": "{{openAiSocket}}" },
              "ledger": { "path": "{{ledgerPath}}"{{durabilityKey}} },
              "validation": { "refusalWindow": 0 },
              "access": { "rateLimit": { "requestsPerSecond": 0 } },
              "health": {
                "probes": { "enabled": false },
                "breaker": { "failureRatio": "1", "minimumThroughput": 10000, "samplingDuration": "1s" }
              },
              "providers": {
                "upstream": { "kind": "openai", "baseUrl": "{{mockBaseUrl.ToString().TrimEnd('/')}}", "requireKey": false, "retries": 0 }
              },
              "routes": {
                "{{PlainRoute}}": { "targets": ["upstream/bench"] },
                "{{LongRoute}}": { "targets": ["upstream/{{Conversation.LongModel}}"] },
                "{{FallbackRoute}}": { "targets": ["upstream/fail-500", "upstream/bench"] }
              },
              "tasks": { "default": "{{PlainRoute}}" }
            }
            """;
    }
}
