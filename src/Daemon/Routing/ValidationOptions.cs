using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Routing;

/// <summary>How answers are judged before they count as success.</summary>
public sealed record ValidationOptions
{
    /// <summary>
    /// Phrases that mark a refusal when they occur (case-insensitively) near the start of an answer.
    /// The defaults follow the seed router's list.
    /// </summary>
    public IReadOnlyList<string> RefusalPatterns { get; init; } =
    [
        "I'm sorry, but I can't",
        "I'm sorry, but I cannot",
        "I am sorry, but I cannot",
        "I cannot help with",
        "I can't help with",
        "I can't assist with",
        "I cannot assist with",
        "I'm unable to help",
        "I am unable to help",
        "I won't be able to help",
        "As an AI language model, I cannot",
    ];

    /// <summary>How many leading characters are searched for a refusal, and held back in streams until checked.</summary>
    public int RefusalWindow { get; init; } = 100;

    /// <summary>An answer with no content and no tool calls is rejected and falls back.</summary>
    public bool RejectEmpty { get; init; } = true;

    /// <summary>Reads the "validation" section; errors go to the node's collector and defaults stand in.</summary>
    public static ValidationOptions Parse(ConfigNode node)
    {
        node.AllowOnly("refusalPatterns", "refusalWindow", "rejectEmpty");
        var defaults = new ValidationOptions();
        return new ValidationOptions
        {
            RefusalPatterns = node.Exists("refusalPatterns") ? node.StringList("refusalPatterns") : defaults.RefusalPatterns,
            RefusalWindow = (int)node.Number("refusalWindow", defaults.RefusalWindow, 0, 100_000),
            RejectEmpty = node.Flag("rejectEmpty", defaults.RejectEmpty),
        };
    }
}
