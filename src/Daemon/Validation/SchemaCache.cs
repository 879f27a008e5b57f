using System.Collections.Concurrent;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Validation;

/// <summary>
/// Compiled response schemas by their text. Callers tend to send the same few schemas over and over;
/// compiling once saves the work on every request. Bounded, so odd callers cannot grow it without end.
/// </summary>
public sealed class SchemaCache(int capacity = 256)
{
    private readonly ConcurrentDictionary<string, CompiledSchema> _schemas = new(StringComparer.Ordinal);

    /// <summary>Compiles (or finds) a schema; throws <see cref="SchemaException"/> naming what is wrong.</summary>
    public CompiledSchema Get(string schemaJson)
    {
        if (_schemas.TryGetValue(schemaJson, out CompiledSchema? schema))
        {
            return schema;
        }

        schema = CompiledSchema.Compile(schemaJson);
        if (_schemas.Count >= capacity)
        {
            _schemas.Clear();
        }

        _schemas[schemaJson] = schema;
        return schema;
    }
}
