using System.Text.Json;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Validation;

/// <summary>Checks an answer against the request's JSON Schema, taking JSON from a fenced code block first.</summary>
public sealed class SchemaAnswerCheck(SchemaCache schemas) : IAnswerSchemaCheck
{
    public string? Check(string content, string schemaJson)
    {
        if (!JsonAnswerExtractor.TryExtract(content, out JsonDocument? document))
        {
            return "the answer is not JSON";
        }

        using (document)
        {
            ValidationResult result = schemas.Get(schemaJson).Validate(document.RootElement);
            return result.IsValid ? null : string.Join("; ", result.Errors.Take(5).Select(e => e.ToString()));
        }
    }
}
