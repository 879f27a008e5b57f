using System.Text;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Budgets;

/// <summary>
/// An upper bound on the input tokens a provider can bill for a request, without a tokenizer.
/// Byte-level BPE tokenizers (GPT's cl100k/o200k, Claude's, Llama 3's) and SentencePiece with byte
/// fallback never make a token of less than one byte, so the UTF-8 bytes of the text sent bound its
/// tokens. What the bytes miss is what the chat template and the adapters add around the text; the
/// constants below bound that.
/// </summary>
public static class InputTokenBound
{
    /// <summary>
    /// Per message: the template's turn markers and role name. OpenAI counts 3 tokens a message (plus 1
    /// for a name), Llama 3 uses 5 (start/end header, role, blank line, end of turn), Gemma about 5, and a
    /// SentencePiece dummy prefix adds at most 1. 8 covers them all with room.
    /// </summary>
    public const long PerMessage = 8;

    /// <summary>Per request: the reply priming (3 tokens at OpenAI, 4 with Llama 3's header) and a BOS token.</summary>
    public const long PerRequest = 8;

    /// <summary>
    /// Per tool: the template's wrapping of each definition (name and parameters keys, separators), on
    /// top of the bytes of its name, description and schema.
    /// </summary>
    public const long PerTool = 16;

    /// <summary>
    /// Once when tools are offered: the provider's own tool-use instructions. Anthropic documents its
    /// tool-use system prompt at 313 to 346 tokens for current models; OpenAI's function preamble is smaller.
    /// </summary>
    public const long ToolUse = 512;

    /// <summary>
    /// Once when a response schema is set: the instruction the adapters add in words (under 140 bytes
    /// today) when the provider cannot constrain decoding itself.
    /// </summary>
    public const long SchemaInstruction = 256;

    /// <summary>The most input tokens <paramref name="request"/> can be billed for by a byte-level tokenizer.</summary>
    public static long Of(CompleteRequest request)
    {
        long tokens = PerRequest;
        foreach (Message message in request.Messages)
        {
            tokens += PerMessage + Bytes(message.Content) + Bytes(message.Name) + Bytes(message.ToolCallId);
            foreach (ToolCall call in message.ToolCalls)
            {
                tokens += Bytes(call.Id) + Bytes(call.Name) + Bytes(call.ArgumentsJson);
            }
        }

        if (request.Tools.Count > 0)
        {
            tokens += ToolUse;
            foreach (Tool tool in request.Tools)
            {
                tokens += PerTool + Bytes(tool.Name) + Bytes(tool.Description) + Bytes(tool.ParametersJsonSchema);
            }
        }

        if (request.ResponseJsonSchema.Length > 0)
        {
            tokens += SchemaInstruction + Bytes(request.ResponseJsonSchema);
        }

        return tokens;
    }

    private static long Bytes(string text) => Encoding.UTF8.GetByteCount(text);
}
