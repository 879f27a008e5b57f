using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// A JSON Schema (draft 2020-12) checked and compiled up front. Only references within the same document
/// are supported, and keywords outside the supported set are rejected rather than silently ignored.
/// Immutable: one compiled schema may validate on many threads at once.
/// </summary>
public sealed class CompiledSchema
{
    /// <summary>At most this many errors are reported; evaluation stops soon after.</summary>
    public const int MaxErrors = 50;

    /// <summary>Deepest nesting of schema evaluation before the run ends with a "depth" error.</summary>
    public const int MaxDepth = 200;

    private readonly SchemaNode _root;

    private CompiledSchema(SchemaNode root) => _root = root;

    /// <exception cref="SchemaException">The text is not JSON, or not a schema this validator supports.</exception>
    public static CompiledSchema Compile(string schemaJson)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException e)
        {
            throw new SchemaException($"schema is not valid JSON: {e.Message}", null, "#");
        }

        using (document)
        {
            return Compile(document.RootElement);
        }
    }

    /// <exception cref="SchemaException">The value is not a schema this validator supports.</exception>
    public static CompiledSchema Compile(JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The schema is an uninitialised JsonElement.", nameof(schema));
        }

        // A private copy: const and enum keep elements of it, and the caller may dispose its document.
        return new CompiledSchema(SchemaCompiler.CompileDocument(schema.Clone()));
    }

    public ValidationResult Validate(JsonElement instance)
    {
        if (instance.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The instance is an uninitialised JsonElement.", nameof(instance));
        }

        var context = new EvaluationContext();
        try
        {
            return context.ToResult(_root.Evaluate(instance, context), null);
        }
        catch (EvaluationAbortedException e)
        {
            return context.ToResult(false, e.Error);
        }
    }

    /// <summary>Validates JSON text; text that is not JSON is reported as an error, not thrown.</summary>
    public ValidationResult Validate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return new ValidationResult(false, [new ValidationError(string.Empty, "json", $"not valid JSON: {e.Message}")], false);
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }
}
