namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>One reason an instance failed its schema.</summary>
/// <param name="InstancePath">JSON pointer to the failing value: "" for the root, "/items/0/name".</param>
/// <param name="Keyword">The schema keyword that failed, such as "minimum" or "required".</param>
/// <param name="Message">What is wrong, written for a person (or a model asked to repair its answer).</param>
public sealed record ValidationError(string InstancePath, string Keyword, string Message)
{
    public override string ToString() => $"{(InstancePath.Length == 0 ? "(root)" : InstancePath)}: {Message}";
}
