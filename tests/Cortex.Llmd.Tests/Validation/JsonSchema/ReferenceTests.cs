using System.Text.Json;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>$ref within one document: recursion, pointer escaping, the root's own $id, and cycles.</summary>
public class ReferenceTests
{
    private const string Tree = """
        {
          "$defs": {
            "node": {
              "type": "object",
              "properties": {
                "value": { "type": "integer" },
                "children": { "type": "array", "items": { "$ref": "#/$defs/node" } }
              },
              "required": ["value"],
              "additionalProperties": false
            }
          },
          "$ref": "#/$defs/node"
        }
        """;

    [Test]
    public void Validate_RecursiveTreeSchema_AcceptsNestedTree()
    {
        CompiledSchema schema = CompiledSchema.Compile(Tree);

        ValidationResult result = schema.Validate("""
            {"value":1,"children":[{"value":2,"children":[{"value":3},{"value":4,"children":[{"value":5,"children":[]}]}]},{"value":6}]}
            """);

        Assert.That(result.IsValid, Is.True, result.ToString());
    }

    [Test]
    public void Validate_RecursiveTreeSchema_ReportsDeepErrorsWithTheirPaths()
    {
        CompiledSchema schema = CompiledSchema.Compile(Tree);

        ValidationResult result = schema.Validate("""
            {"value":1,"children":[{"value":2,"children":[{"value":3},{"value":"4","extra":true}]},{"children":[]}]}
            """);

        Assert.That(result.Errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "/children/0/children/1/value: expected integer, got string \"4\"",
            "/children/0/children/1/extra: property \"extra\" is not allowed",
            "/children/1: missing required property \"value\"",
        }));
    }

    [TestCase("""{"properties":{"next":{"$ref":"#"}},"additionalProperties":false}""", """{"next":{"next":{}}}""", true)]
    [TestCase("""{"properties":{"next":{"$ref":"#"}},"additionalProperties":false}""", """{"next":{"next":{"x":1}}}""", false)]
    [TestCase("""{"$defs":{"a/b":{"type":"integer"}},"$ref":"#/$defs/a~1b"}""", "1", true)]
    [TestCase("""{"$defs":{"a/b":{"type":"integer"}},"$ref":"#/$defs/a~1b"}""", "\"1\"", false)]
    [TestCase("""{"$defs":{"t~":{"type":"integer"}},"$ref":"#/$defs/t~0"}""", "\"1\"", false)]
    [TestCase("""{"$defs":{"50%":{"type":"integer"}},"$ref":"#/$defs/50%25"}""", "\"1\"", false)]
    [TestCase("""{"$defs":{"a b":{"type":"integer"}},"$ref":"#/$defs/a%20b"}""", "\"1\"", false)]
    [TestCase("""{"definitions":{"s":{"type":"string"}},"$ref":"#/definitions/s"}""", "1", false)]
    [TestCase("""{"definitions":{"s":{"type":"string"}},"$ref":"#/definitions/s"}""", "\"s\"", true)]
    [TestCase("""{"prefixItems":[{"type":"string"},{"$ref":"#/prefixItems/0"}]}""", """["a",2]""", false)]
    [TestCase("""{"$id":"https://example.com/tree.json","type":"object","properties":{"child":{"$ref":"https://example.com/tree.json"}}}""", """{"child":{"child":1}}""", false)]
    [TestCase("""{"$id":"https://example.com/tree.json","type":"object","properties":{"child":{"$ref":"https://example.com/tree.json"}}}""", """{"child":{"child":{}}}""", true)]
    [TestCase("""{"$id":"https://example.com/s/root.json","$defs":{"x":{"type":"null"}},"$ref":"root.json#/$defs/x"}""", "null", true)]
    [TestCase("""{"$id":"https://example.com/s/root.json","$defs":{"x":{"type":"null"}},"$ref":"root.json#/$defs/x"}""", "0", false)]
    [TestCase("""{"$id":"urn:example:root","$defs":{"x":{"type":"null"}},"$ref":"urn:example:root#/$defs/x"}""", "0", false)]
    [TestCase("""{"$defs":{"x":{"$ref":"#/$defs/y"},"y":{"$ref":"#/$defs/z"},"z":{"maximum":3}},"$ref":"#/$defs/x"}""", "4", false)]
    [TestCase("""{"properties":{"a":{"minimum":1}},"additionalProperties":{"$ref":"#/properties/a"}}""", """{"b":0}""", false)]
    public void Validate_SameDocumentRef_FollowsPointer(string schema, string instance, bool valid)
    {
        Assert.That(CompiledSchema.Compile(schema).Validate(instance).IsValid, Is.EqualTo(valid));
    }

    [TestCase("""{"$ref":"#"}""")]
    [TestCase("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""")]
    [TestCase("""{"not":{"$ref":"#"}}""")]
    [TestCase("""{"anyOf":[{"$ref":"#"}]}""")]
    public void Validate_RefCycleThatNeverMovesIntoInstance_EndsWithDepthError(string schema)
    {
        CompiledSchema compiled = CompiledSchema.Compile(schema);

        ValidationResult result = compiled.Validate("1");

        // Never valid: a 'not' around the cycle must not turn the aborted run into a pass.
        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors[^1].Keyword, Is.EqualTo("depth"));
        Assert.That(result.Errors[^1].Message, Does.Contain($"deeper than {CompiledSchema.MaxDepth} levels"));
    }

    [Test]
    public void Validate_InstanceDeeperThanDepthBound_FailsWithDepthErrorNotStackOverflow()
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"type":"array","items":{"$ref":"#"}}""");
        const int levels = 5000;
        using JsonDocument deep = JsonDocument.Parse(new string('[', levels) + new string(']', levels), new JsonDocumentOptions { MaxDepth = levels + 1 });

        ValidationResult result = schema.Validate(deep.RootElement);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Has.Count.EqualTo(1));
        Assert.That(result.Errors[0].Keyword, Is.EqualTo("depth"));
        Assert.That(result.Errors[0].InstancePath, Does.StartWith("/0/0/0/0"));
    }

    [Test]
    public void Validate_NestingWithinDepthBound_IsJudgedNormally()
    {
        // Root schema plus its "items" subschema: two levels per array, so 60 arrays use 120 of 200.
        CompiledSchema schema = CompiledSchema.Compile("""{"type":"array","items":{"$ref":"#"}}""");
        const int levels = 60;
        using JsonDocument deep = JsonDocument.Parse(new string('[', levels) + new string(']', levels), new JsonDocumentOptions { MaxDepth = levels + 1 });
        using JsonDocument wrong = JsonDocument.Parse(new string('[', levels) + "1" + new string(']', levels), new JsonDocumentOptions { MaxDepth = levels + 1 });

        Assert.That(schema.Validate(deep.RootElement).IsValid, Is.True);
        ValidationResult result = schema.Validate(wrong.RootElement);
        Assert.That(result.Errors.Single().Keyword, Is.EqualTo("type"));
        Assert.That(result.Errors.Single().InstancePath, Is.EqualTo(string.Concat(Enumerable.Repeat("/0", levels))));
    }
}
