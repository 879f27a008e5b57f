using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// Finds the JSON in a model's answer. Models often wrap it in a Markdown fence, so the first fenced block
/// marked json, or with no language, is taken; without one, the whole answer must be JSON. Prose around
/// unfenced JSON is not searched: guessing where JSON starts would accept answers that are not JSON.
/// </summary>
public static class JsonAnswerExtractor
{
    private const string Fence = "```";

    public static bool TryExtract(string content, [NotNullWhen(true)] out JsonDocument? document)
    {
        ArgumentNullException.ThrowIfNull(content);
        string candidate = FirstJsonBlock(content) ?? content.Trim();
        try
        {
            document = JsonDocument.Parse(candidate);
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    /// <summary>The body of the first ``` or ```json block; an unclosed block runs to the end.</summary>
    private static string? FirstJsonBlock(string content)
    {
        string[] lines = content.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (!line.StartsWith(Fence, StringComparison.Ordinal))
            {
                continue;
            }

            string language = line.TrimStart('`').Trim();
            int end = Array.FindIndex(lines, i + 1, l => l.Trim().StartsWith(Fence, StringComparison.Ordinal));
            int close = end < 0 ? lines.Length : end;
            if (language.Length == 0 || language.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                return string.Join('\n', lines[(i + 1)..close]);
            }

            // Skip a block in another language, fence and all.
            i = close;
        }

        return null;
    }
}
