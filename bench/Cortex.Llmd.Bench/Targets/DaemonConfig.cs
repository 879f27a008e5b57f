namespace Cortex.Llmd.Bench.Targets;

/// <summary>
/// The daemon's config for the bench: one <c>openai</c>-kind provider whose baseUrl is the mock, and the
/// routes the workloads name. Refusal hold-back is 0 (<c>validation.refusalWindow</c>), so streamed text is
/// passed on as it arrives and the added time to first chunk is the daemon's own.
/// </summary>
internal static class DaemonConfig
{
    public const string PlainRoute = "bench";
    public const string FallbackRoute = "fallback";
    public const string LongRoute = "long";

    /// <summary>
    /// Whether the default durability is written as <c>ledger.durability</c>. False until the daemon knows
    /// the key (it rejects unknown keys); set it to true once it does, so every run states its mode.
    /// </summary>
    public const bool WriteDefaultDurability = false;

    /// <param name="durability">null: the option was not given (crash, the default, and no key written unless <see cref="WriteDefaultDurability"/>).</param>
    public static string Json(Uri mockBaseUrl, string ledgerPath, string? durability)
    {
        string? written = durability ?? (WriteDefaultDurability ? "crash" : null);
        string durabilityKey = written is null ? string.Empty : $$""", "durability": "{{written}}" """;
        return $$"""
            {
              "logging": { "level": "warning" },
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
