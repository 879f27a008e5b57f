using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Model;

/// <summary>
/// How one target is attempted: its time budget, the time allowed until the first token of a stream,
/// and how many retries with exponential backoff and jitter it gets before routing falls back.
/// </summary>
public sealed record TargetPolicy(TimeSpan Timeout, TimeSpan? FirstTokenTimeout, int Retries, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay)
{
    public static readonly string[] ConfigKeys = ["timeout", "firstTokenTimeout", "retries", "retryBaseDelay", "retryMaxDelay"];

    /// <summary>The seed router's defaults: cloud providers get 30 s, local ones 8 s.</summary>
    public static readonly TargetPolicy Cloud = new(TimeSpan.FromSeconds(30), null, 1, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    public static readonly TargetPolicy Local = Cloud with { Timeout = TimeSpan.FromSeconds(8) };

    public static TargetPolicy Parse(ConfigNode node, TargetPolicy fallback)
    {
        var hour = TimeSpan.FromHours(1);
        TimeSpan timeout = node.Duration("timeout", fallback.Timeout, TimeSpan.FromMilliseconds(1), hour);
        TimeSpan? firstToken = node.Exists("firstTokenTimeout")
            ? node.Duration("firstTokenTimeout", timeout, TimeSpan.FromMilliseconds(1), hour)
            : fallback.FirstTokenTimeout;
        return new TargetPolicy(
            timeout,
            firstToken,
            (int)node.Number("retries", fallback.Retries, 0, 10),
            node.Duration("retryBaseDelay", fallback.RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1)),
            node.Duration("retryMaxDelay", fallback.RetryMaxDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10)));
    }
}
