using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>
/// Maps a Chat Completions usage object to our price classes. prompt_tokens INCLUDES cached tokens on
/// every server of this family, so the cached count is subtracted to get InputTokens. Which field
/// carries the cached count differs: OpenAI (and vLLM, OpenRouter) prompt_tokens_details.cached_tokens,
/// Moonshot a top-level cached_tokens, DeepSeek prompt_cache_hit_tokens. See docs/providers/openai.md.
/// </summary>
internal static class OpenAiUsage
{
    public static Usage Map(JsonElement usage)
    {
        ulong prompt = Number(usage, "prompt_tokens") ?? 0;
        ulong completion = Number(usage, "completion_tokens") ?? 0;
        // The first non-zero spelling wins: some servers send a zero placeholder in one and the count in another.
        ulong cached = FirstPositive(
            Number(Child(usage, "prompt_tokens_details"), "cached_tokens"),
            Number(usage, "cached_tokens"),
            Number(usage, "prompt_cache_hit_tokens"));
        return new Usage
        {
            InputTokens = prompt > cached ? prompt - cached : 0,
            CachedInputTokens = cached,
            // None of these APIs report cache writes; OpenAI-style caching has no write surcharge.
            CacheWriteTokens = 0,
            // Reasoning tokens are a subset of completion_tokens; both are reported as sent.
            OutputTokens = completion,
            ReasoningTokens = Number(Child(usage, "completion_tokens_details"), "reasoning_tokens") ?? 0,
        };
    }

    private static ulong FirstPositive(params ReadOnlySpan<ulong?> values)
    {
        foreach (ulong? value in values)
        {
            if (value is > 0)
            {
                return value.Value;
            }
        }

        return 0;
    }

    private static JsonElement Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement child) ? child : default;

    /// <summary>A token count, or null when absent, null or not a non-negative number.</summary>
    private static ulong? Number(JsonElement parent, string name)
    {
        JsonElement value = Child(parent, name);
        if (value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (value.TryGetUInt64(out ulong whole))
        {
            return whole;
        }

        // A few servers write counts as 12.0.
        return value.TryGetDouble(out double real) && real >= 0 && real < ulong.MaxValue ? (ulong)Math.Round(real) : null;
    }
}
