using System.Text.Json;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Validation;

/// <summary>
/// Checks an answer against the request's JSON Schema. Until the schema validator lands this checks
/// only that the answer is JSON (taken from a fenced code block when there is one).
/// </summary>
public sealed class SchemaAnswerCheck : IAnswerSchemaCheck
{
    public string? Check(string content, string schemaJson)
    {
        string text = content.Trim();
        int fence = text.IndexOf("```", StringComparison.Ordinal);
        if (fence >= 0)
        {
            int start = text.IndexOf('\n', fence);
            int end = start < 0 ? -1 : text.IndexOf("```", start, StringComparison.Ordinal);
            if (start >= 0 && end > start)
            {
                text = text[(start + 1)..end];
            }
        }

        try
        {
            using JsonDocument _ = JsonDocument.Parse(text);
            return null;
        }
        catch (JsonException ex)
        {
            return "not JSON: " + ex.Message;
        }
    }
}
