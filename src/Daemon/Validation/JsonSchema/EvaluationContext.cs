using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// The state of one validation run: the instance path, the errors found so far, and whether errors are
/// wanted at all. Inside anyOf, oneOf, not, if and contains only a yes/no answer is needed, so those
/// evaluate "quietly": nothing is recorded and the first failure ends the evaluation.
/// </summary>
internal sealed class EvaluationContext
{
    private readonly List<ValidationError> _errors = [];
    private readonly List<(string? Name, int Index)> _path = [];
    private int _quiet;
    private int _depth;

    public IReadOnlyList<ValidationError> Errors => _errors;

    /// <summary>An error arrived after the cap: the list is incomplete.</summary>
    public bool Truncated { get; private set; }

    /// <summary>True when further checks cannot change what is reported, so a keyword may return at once.</summary>
    public bool StopEarly => _quiet > 0 || Truncated;

    /// <summary>Records a failure (unless quiet) and returns false, so keywords can write <c>return context.Fail(...)</c>.</summary>
    public bool Fail(string keyword, string message)
    {
        if (_quiet > 0)
        {
            return false;
        }

        if (_errors.Count < CompiledSchema.MaxErrors)
        {
            _errors.Add(new ValidationError(CurrentPath(), keyword, message));
        }
        else
        {
            Truncated = true;
        }

        return false;
    }

    /// <summary>Evaluates a subschema for its verdict only.</summary>
    public bool Probe(SchemaNode schema, JsonElement instance)
    {
        _quiet++;
        bool valid = schema.Evaluate(instance, this);
        _quiet--;
        return valid;
    }

    public void PushProperty(string name) => _path.Add((name, 0));

    public void PushIndex(int index) => _path.Add((null, index));

    public void Pop() => _path.RemoveAt(_path.Count - 1);

    /// <summary>Counts nesting so that a $ref cycle that never moves into the instance ends in an error.</summary>
    public void EnterSchema()
    {
        if (++_depth > CompiledSchema.MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Abort("depth", $"schema evaluation nested deeper than {CompiledSchema.MaxDepth} levels (a $ref cycle or a very deep value)");
        }
    }

    public void ExitSchema() => _depth--;

    /// <summary>
    /// Ends the whole run. Used where a verdict cannot be trusted (depth, regex timeout): returning false
    /// instead could be inverted into "valid" by an enclosing 'not'.
    /// </summary>
    public EvaluationAbortedException Abort(string keyword, string message) =>
        new(new ValidationError(CurrentPath(), keyword, message));

    public ValidationResult ToResult(bool valid, ValidationError? abort)
    {
        var errors = new List<ValidationError>(_errors);
        if (abort is not null)
        {
            errors.Add(abort);
        }
        else if (!valid && errors.Count == 0)
        {
            // Every failing keyword reports; this only guards the invariant "invalid means at least one error".
            errors.Add(new ValidationError(string.Empty, "schema", "value does not match the schema"));
        }

        return new ValidationResult(valid && abort is null, errors, Truncated);
    }

    private string CurrentPath()
    {
        if (_path.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach ((string? name, int index) in _path)
        {
            if (name is null)
            {
                builder.Append('/').Append(index);
            }
            else
            {
                JsonPointer.AppendToken(builder, name);
            }
        }

        return builder.ToString();
    }
}

/// <summary>Unwinds a validation run that cannot reach a trustworthy verdict.</summary>
internal sealed class EvaluationAbortedException(ValidationError error) : Exception(error.Message)
{
    public ValidationError Error { get; } = error;
}
