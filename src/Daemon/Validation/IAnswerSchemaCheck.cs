namespace Cortex.Llmd.Validation;

/// <summary>Validates answer text against the request's JSON Schema (JSON in a fenced block is extracted first).</summary>
public interface IAnswerSchemaCheck
{
    /// <summary>Null when the content is valid JSON matching the schema; else what is wrong.</summary>
    string? Check(string content, string schemaJson);
}
