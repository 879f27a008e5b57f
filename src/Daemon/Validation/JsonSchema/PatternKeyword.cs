using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>'pattern': the string must contain a match somewhere (patterns are not implicitly anchored).</summary>
internal sealed class PatternKeyword(string pattern, Regex regex) : IKeyword
{
    public bool Evaluate(JsonElement instance, EvaluationContext context)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        string text = JsonStrings.Get(instance);
        return IsMatch(regex, pattern, text, "pattern", context)
            || context.Fail("pattern", $"{JsonValueText.Describe(instance)} does not match pattern {JsonStrings.Quote(pattern)}");
    }

    /// <summary>
    /// A match that runs out of time ends the whole validation: treating it as "no match" could be
    /// turned into a pass by 'not', and going on could spend the time limit once per string.
    /// </summary>
    public static bool IsMatch(Regex regex, string pattern, string text, string keyword, EvaluationContext context)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            throw context.Abort(keyword, $"pattern {JsonStrings.Quote(pattern)} took longer than {EcmaRegex.MatchTimeout.TotalMilliseconds} ms on this value; validation stopped");
        }
    }
}
