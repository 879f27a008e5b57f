using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Pricing;

/// <summary>
/// A model's prices, held as integer nano-USD per million tokens so that every bill is exact integer
/// arithmetic. Reasoning tokens are priced as output unless a separate price is configured.
/// </summary>
public sealed record ModelPrice(long Input, long CachedInput, long CacheWrite, long Output, long Reasoning)
{
    public static readonly string[] ConfigKeys = ["input", "cachedInput", "cacheWrite", "output", "reasoning"];

    private const long NanoPerUsd = 1_000_000_000;
    private const long TokensPerUnit = 1_000_000;

    /// <summary>
    /// Cost of a usage record. Reasoning tokens are a subset of output tokens in the wire formats we
    /// speak, so only the reasoning price's difference from the output price is added for them.
    /// Each class is rounded half away from zero to a whole nano-USD.
    /// </summary>
    public long CostNanoUsd(Usage usage) =>
        Bill(usage.InputTokens, Input)
        + Bill(usage.CachedInputTokens, CachedInput)
        + Bill(usage.CacheWriteTokens, CacheWrite)
        + Bill(usage.OutputTokens, Output)
        + Bill(usage.ReasoningTokens, Reasoning - Output);

    private static long Bill(ulong tokens, long nanoPerMillion)
    {
        Int128 product = (Int128)tokens * nanoPerMillion;
        Int128 half = TokensPerUnit / 2;
        Int128 rounded = product >= 0 ? (product + half) / TokensPerUnit : (product - half) / TokensPerUnit;
        return (long)rounded;
    }

    /// <summary>Reads USD-per-million prices ("3", "0.30"); output is required, the rest default sensibly.</summary>
    public static ModelPrice Parse(ConfigNode node)
    {
        node.AllowOnly(ConfigKeys);
        long output = Usd(node, "output", required: true, fallback: 0);
        long input = Usd(node, "input", required: true, fallback: 0);
        return new ModelPrice(
            input,
            Usd(node, "cachedInput", required: false, fallback: input),
            Usd(node, "cacheWrite", required: false, fallback: input),
            output,
            Usd(node, "reasoning", required: false, fallback: output));
    }

    private static long Usd(ConfigNode node, string key, bool required, long fallback)
    {
        string? text = node.Text(key);
        if (text is null)
        {
            if (required)
            {
                node.Error(key, "is required (USD per million tokens)");
            }

            return fallback;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal usd) || usd > 1_000_000)
        {
            node.Error(key, $"'{text}' is not a price in USD per million tokens");
            return fallback;
        }

        decimal nano = usd * NanoPerUsd;
        if (nano != decimal.Truncate(nano))
        {
            node.Error(key, $"'{text}' has more precision than a nano-USD per million tokens");
        }

        return (long)nano;
    }
}
