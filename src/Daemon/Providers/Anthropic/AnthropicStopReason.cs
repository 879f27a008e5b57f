using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>Maps Anthropic's stop_reason to our finish reason.</summary>
internal static class AnthropicStopReason
{
    public static FinishReason ToFinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => FinishReason.Length,
        "tool_use" => FinishReason.ToolCalls,
        "refusal" => FinishReason.ContentFilter,
        // end_turn, stop_sequence, and pause_turn (a server-tool loop paused; what came so far is the
        // answer, and we never send server tools), plus anything newer than this code.
        _ => FinishReason.Stop,
    };
}
