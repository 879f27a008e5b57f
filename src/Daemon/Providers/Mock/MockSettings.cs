using Cortex.Llm.V1;
using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Providers.Mock;

/// <summary>How a mock attempt fails, when it does.</summary>
public enum MockFailure
{
    None,
    Error,
    Timeout,
    RateLimited,
    Auth,
    Refusal,
    Empty,
}

/// <summary>
/// The mock provider's behaviour. Everything is deterministic so tests and benchmarks can rely on
/// exact text, chunk counts, usage numbers and failure points.
/// </summary>
public sealed record MockSettings : IProviderSettings
{
    /// <summary>
    /// Longer than the refusal hold-back window (100 characters by default), so a stream visibly arrives
    /// word by word instead of all at once when the window is released.
    /// </summary>
    public const string DefaultReply =
        "This is the cortex-llmd mock provider answering as {model}. It runs offline: no API key was used and "
        + "nothing left this machine. The answer streams word by word, so you can watch a stream arrive. You said: {prompt}";

    public string Reply { get; init; } = DefaultReply;

    /// <summary>The reply is sent this many times over, for long streams.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Delay before the first chunk.</summary>
    public TimeSpan Latency { get; init; }

    public TimeSpan ChunkDelay { get; init; }

    public MockFailure Failure { get; init; }

    /// <summary>With a failure set: how many calls fail before calls succeed; 0 means every call fails.</summary>
    public int FailFirst { get; init; }

    /// <summary>Fail mid-stream after this many content chunks (0: do not).</summary>
    public int FailAfterChunks { get; init; }

    /// <summary>When the request offers tools, answer with a call to the first one.</summary>
    public bool CallTools { get; init; } = true;

    /// <summary>Fixed usage numbers; null means derived from the text (4 characters per input token, 1 token per chunk).</summary>
    public Usage? Usage { get; init; }

    private static readonly Dictionary<string, MockFailure> Failures = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = MockFailure.None,
        ["error"] = MockFailure.Error,
        ["timeout"] = MockFailure.Timeout,
        ["rate-limited"] = MockFailure.RateLimited,
        ["auth"] = MockFailure.Auth,
        ["refusal"] = MockFailure.Refusal,
        ["empty"] = MockFailure.Empty,
    };

    public static MockSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys)
    {
        node.AllowOnly([.. commonKeys, "reply", "repeat", "latency", "chunkDelay", "failure", "failFirst", "failAfterChunks", "callTools", "usage"]);
        var day = TimeSpan.FromDays(1);
        return new MockSettings
        {
            Reply = node.Text("reply", DefaultReply)!,
            Repeat = (int)node.Number("repeat", 1, 1, 1_000_000),
            Latency = node.Duration("latency", TimeSpan.Zero, TimeSpan.Zero, day),
            ChunkDelay = node.Duration("chunkDelay", TimeSpan.Zero, TimeSpan.Zero, day),
            Failure = node.Choice("failure", MockFailure.None, Failures),
            FailFirst = (int)node.Number("failFirst", 0, 0, int.MaxValue),
            FailAfterChunks = (int)node.Number("failAfterChunks", 0, 0, int.MaxValue),
            CallTools = node.Flag("callTools", true),
            Usage = node.Exists("usage") ? ParseUsage(node.Child("usage")) : null,
        };
    }

    private static Usage ParseUsage(ConfigNode node)
    {
        node.AllowOnly("inputTokens", "cachedInputTokens", "cacheWriteTokens", "outputTokens", "reasoningTokens");
        return new Usage
        {
            InputTokens = (ulong)node.Number("inputTokens", 0, 0, long.MaxValue),
            CachedInputTokens = (ulong)node.Number("cachedInputTokens", 0, 0, long.MaxValue),
            CacheWriteTokens = (ulong)node.Number("cacheWriteTokens", 0, 0, long.MaxValue),
            OutputTokens = (ulong)node.Number("outputTokens", 0, 0, long.MaxValue),
            ReasoningTokens = (ulong)node.Number("reasoningTokens", 0, 0, long.MaxValue),
        };
    }
}
