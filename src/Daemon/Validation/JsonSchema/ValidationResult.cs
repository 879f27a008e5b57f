namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>The verdict on one instance, with at most <see cref="CompiledSchema.MaxErrors"/> errors.</summary>
public sealed class ValidationResult
{
    internal ValidationResult(bool isValid, IReadOnlyList<ValidationError> errors, bool truncated)
    {
        IsValid = isValid;
        Errors = errors;
        Truncated = truncated;
    }

    public bool IsValid { get; }

    /// <summary>Empty when valid; never empty when invalid.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>True when evaluation stopped at the error cap, so more errors may exist.</summary>
    public bool Truncated { get; }

    /// <summary>One error per line, ready for a log line or a repair prompt.</summary>
    public override string ToString() =>
        IsValid ? "valid" : string.Join('\n', Errors) + (Truncated ? "\n(more errors not shown)" : string.Empty);
}
