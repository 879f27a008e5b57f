using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// Compiles one schema document. Every subschema is compiled once and remembered by its location, so a
/// $ref is bound by pointer identity after the walk: recursive references cost nothing and cannot loop.
/// </summary>
internal sealed class SchemaCompiler
{
    // Far above any real schema, and well inside the stack: a hostile document fails here, not with a crash.
    private const int MaxNesting = 256;

    private readonly JsonElement _root;
    private readonly string? _rootId;
    private readonly Dictionary<string, SchemaNode> _compiled = new(StringComparer.Ordinal);
    private readonly List<(RefKeyword Keyword, string Location)> _references = [];
    private readonly Dictionary<string, Regex> _regexes = new(StringComparer.Ordinal);
    private int _nesting;

    private SchemaCompiler(JsonElement root)
    {
        _root = root;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("$id", out JsonElement id) && id.ValueKind == JsonValueKind.String)
        {
            _rootId = JsonStrings.Get(id);
        }
    }

    public static SchemaNode CompileDocument(JsonElement root)
    {
        var compiler = new SchemaCompiler(root);
        SchemaNode node = compiler.Compile(root, "#");
        compiler.BindReferences();
        return node;
    }

    public SchemaNode Compile(JsonElement schema, string location)
    {
        if (_compiled.TryGetValue(location, out SchemaNode? known))
        {
            return known;
        }

        if (++_nesting > MaxNesting || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new SchemaException($"schema nested deeper than {MaxNesting} levels at {location}", null, location);
        }

        SchemaNode node = schema.ValueKind switch
        {
            JsonValueKind.True => BooleanSchema.True,
            JsonValueKind.False => BooleanSchema.False,
            JsonValueKind.Object => new SchemaObjectCompiler(this, location).Compile(schema),
            _ => throw new SchemaException(
                $"schema at {location} must be an object or a boolean, got {JsonValueText.Describe(schema)}", null, location),
        };
        _nesting--;
        _compiled[location] = node;
        return node;
    }

    /// <summary>Compiles a pattern once per document; an invalid one fails the schema, never a validation.</summary>
    public Regex Regex(string keyword, string pattern, string location)
    {
        if (!_regexes.TryGetValue(pattern, out Regex? regex))
        {
            try
            {
                regex = EcmaRegex.Create(pattern);
            }
            catch (ArgumentException e)
            {
                throw new SchemaException(
                    $"invalid regular expression {JsonStrings.Quote(pattern)} in '{keyword}' at {location}: {e.Message}", keyword, location);
            }

            _regexes[pattern] = regex;
        }

        return regex;
    }

    /// <summary>A $ref whose target is found after the whole document has been compiled.</summary>
    public RefKeyword Reference(string reference, string location)
    {
        var keyword = new RefKeyword(reference);
        _references.Add((keyword, location));
        return keyword;
    }

    private void BindReferences()
    {
        // Indexed loop: compiling a target not yet seen (say "#/enum/0") may add references of its own.
        for (int i = 0; i < _references.Count; i++)
        {
            (RefKeyword keyword, string location) = _references[i];
            (JsonElement target, string targetLocation) = Resolve(keyword.Reference, location);
            keyword.Target = Compile(target, targetLocation);
        }
    }

    private (JsonElement Target, string Location) Resolve(string reference, string location)
    {
        int hash = reference.IndexOf('#', StringComparison.Ordinal);
        string resource = hash < 0 ? reference : reference[..hash];
        string fragment = hash < 0 ? string.Empty : Uri.UnescapeDataString(reference[(hash + 1)..]);
        if (resource.Length > 0 && !IsThisDocument(resource))
        {
            throw Unresolvable(reference, location, "only references within this document are supported");
        }

        if (fragment.Length > 0 && fragment[0] != '/')
        {
            throw Unresolvable(reference, location, "anchors are not supported; use a JSON pointer such as \"#/$defs/name\"");
        }

        JsonElement current = _root;
        var canonical = new StringBuilder("#");
        foreach (string token in fragment.Length == 0 ? [] : fragment[1..].Split('/'))
        {
            string name = JsonPointer.Unescape(token);
            if (!TryStep(current, name, out current))
            {
                throw Unresolvable(reference, location, $"nothing at {canonical}/{token}");
            }

            JsonPointer.AppendToken(canonical, name);
        }

        return (current, canonical.ToString());
    }

    /// <summary>A reference naming the root's own $id (absolute or relative to it) stays in this document.</summary>
    private bool IsThisDocument(string resource)
    {
        if (_rootId is null)
        {
            return false;
        }

        string rootResource = _rootId.Split('#')[0];
        return resource == rootResource
            || (Uri.TryCreate(rootResource, UriKind.Absolute, out Uri? baseUri)
                && Uri.TryCreate(baseUri, resource, out Uri? resolved)
                && resolved.AbsoluteUri == baseUri.AbsoluteUri);
    }

    private static bool TryStep(JsonElement current, string token, out JsonElement next)
    {
        next = default;
        if (current.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty member in current.EnumerateObject())
            {
                if (JsonStrings.Name(member) == token)
                {
                    next = member.Value;
                    return true;
                }
            }

            return false;
        }

        // RFC 6901 array indexes: decimal digits without leading zeros.
        bool isIndex = token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0');
        if (current.ValueKind != JsonValueKind.Array || !isIndex || !int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) || index >= current.GetArrayLength())
        {
            return false;
        }

        next = current[index];
        return true;
    }

    private static SchemaException Unresolvable(string reference, string location, string why) =>
        new($"unresolvable $ref {JsonStrings.Quote(reference)} at {location}: {why}", "$ref", location);
}
