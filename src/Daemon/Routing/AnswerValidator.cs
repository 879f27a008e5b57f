using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Validation;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Judges a complete answer: a refusal near its start, nothing at all, or content that does not fit the
/// caller's JSON Schema. A rejected answer is its own attempt outcome and triggers fallback.
/// </summary>
public sealed class AnswerValidator(IAnswerSchemaCheck schemaCheck)
{
    public string? FindRefusal(string text, ValidationOptions options)
    {
        ReadOnlySpan<char> window = text.AsSpan(0, Math.Min(text.Length, Math.Max(options.RefusalWindow, 1)));
        foreach (string pattern in options.RefusalPatterns)
        {
            if (pattern.Length > 0 && window.Contains(pattern.AsSpan(), StringComparison.OrdinalIgnoreCase))
            {
                return $"refusal: the answer starts with \"{pattern}\"";
            }
        }

        return null;
    }

    /// <summary>Null when the answer is acceptable; otherwise the outcome and the reason.</summary>
    public (AttemptOutcome Outcome, string Reason)? Check(AttemptAnswer answer, CompleteRequest request, ValidationOptions options)
    {
        if (options.RejectEmpty && string.IsNullOrWhiteSpace(answer.Content) && answer.ToolCalls.Count == 0)
        {
            return (AttemptOutcome.InvalidAnswer, "empty answer: no content and no tool calls");
        }

        if (FindRefusal(answer.Content, options) is { } refusal)
        {
            return (AttemptOutcome.Refusal, refusal);
        }

        if (request.ResponseJsonSchema.Length > 0 && answer.ToolCalls.Count == 0
            && schemaCheck.Check(answer.Content, request.ResponseJsonSchema) is { } problem)
        {
            return (AttemptOutcome.InvalidAnswer, "does not match the response schema: " + Quote.Clip(problem, Quote.MaxChars * 2));
        }

        return null;
    }
}
