using System.Text.Json;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>Schemas refused up front, each with the keyword and the place named.</summary>
public class SchemaCompileTests
{
    [TestCase("""{"properties":{"a":{"unevaluatedProperties":false}}}""", "unevaluatedProperties", "#/properties/a")]
    [TestCase("""{"unevaluatedItems":false}""", "unevaluatedItems", "#")]
    [TestCase("""{"dependencies":{"a":["b"]}}""", "dependencies", "#")]
    [TestCase("""{"additionalItems":false}""", "additionalItems", "#")]
    [TestCase("""{"$recursiveRef":"#"}""", "$recursiveRef", "#")]
    [TestCase("""{"$defs":{"x":{"$anchor":"x"}}}""", "$anchor", "#/$defs/x")]
    [TestCase("""{"$dynamicRef":"#meta"}""", "$dynamicRef", "#")]
    [TestCase("""{"$dynamicAnchor":"meta"}""", "$dynamicAnchor", "#")]
    [TestCase("""{"$vocabulary":{}}""", "$vocabulary", "#")]
    [TestCase("""{"items":{"$id":"https://example.com/item"}}""", "$id", "#/items")]
    [TestCase("""{"allOf":[{"type":"string"},{"maxlength":3}]}""", "maxlength", "#/allOf/1")]
    [TestCase("""{"properties":{"a/b":{"x-custom":1}}}""", "x-custom", "#/properties/a~1b")]
    [TestCase("""{"$defs":{"t~n":{"nullable":true}}}""", "nullable", "#/$defs/t~0n")]
    public void Compile_UnsupportedKeyword_NamesKeywordAndLocation(string schema, string keyword, string location)
    {
        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile(schema));

        Assert.That(e.Message, Does.StartWith($"unsupported keyword '{keyword}' at {location}"));
        Assert.That(e.Keyword, Is.EqualTo(keyword));
        Assert.That(e.Location, Is.EqualTo(location));
    }

    [Test]
    public void Compile_UnevaluatedProperties_MessageIsExact()
    {
        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile("""{"properties":{"a":{"unevaluatedProperties":false}}}"""));

        Assert.That(e.Message, Is.EqualTo("unsupported keyword 'unevaluatedProperties' at #/properties/a"));
    }

    [TestCase("""{"minLength":"3"}""", "minLength", "#", "expected a non-negative integer, got \"3\"")]
    [TestCase("""{"minItems":-1}""", "minItems", "#", "expected a non-negative integer, got -1")]
    [TestCase("""{"maxLength":1.5}""", "maxLength", "#", "expected a non-negative integer, got 1.5")]
    [TestCase("""{"properties":{"a":{"items":{"maxProperties":true}}}}""", "maxProperties", "#/properties/a/items", "expected a non-negative integer, got true")]
    [TestCase("""{"multipleOf":0}""", "multipleOf", "#", "expected a number greater than 0, got 0")]
    [TestCase("""{"multipleOf":-2}""", "multipleOf", "#", "expected a number greater than 0, got -2")]
    [TestCase("""{"minimum":"1"}""", "minimum", "#", "expected a number, got \"1\"")]
    [TestCase("""{"required":"a"}""", "required", "#", "expected an array of distinct strings, got \"a\"")]
    [TestCase("""{"required":["a","a"]}""", "required", "#", "expected an array of distinct strings, got [\"a\",\"a\"]")]
    [TestCase("""{"required":[1]}""", "required", "#", "expected an array of distinct strings, got [1]")]
    [TestCase("""{"dependentRequired":{"a":"b"}}""", "dependentRequired", "#", "expected an array of distinct strings for \"a\", got \"b\"")]
    [TestCase("""{"type":"int"}""", "type", "#", "got \"int\"")]
    [TestCase("""{"type":[]}""", "type", "#", "got []")]
    [TestCase("""{"type":["string","string"]}""", "type", "#", "got [\"string\",\"string\"]")]
    [TestCase("""{"enum":1}""", "enum", "#", "expected an array, got 1")]
    [TestCase("""{"allOf":[]}""", "allOf", "#", "expected a non-empty array of schemas, got []")]
    [TestCase("""{"anyOf":{}}""", "anyOf", "#", "expected a non-empty array of schemas, got {}")]
    [TestCase("""{"prefixItems":[]}""", "prefixItems", "#", "expected a non-empty array of schemas, got []")]
    [TestCase("""{"items":[{}]}""", "items", "#", "an array of schemas is 'prefixItems' in draft 2020-12")]
    [TestCase("""{"properties":[]}""", "properties", "#", "expected an object, got []")]
    [TestCase("""{"uniqueItems":"yes"}""", "uniqueItems", "#", "expected a boolean, got \"yes\"")]
    [TestCase("""{"$ref":5}""", "$ref", "#", "expected a string, got 5")]
    [TestCase("""{"title":5}""", "title", "#", "expected a string, got 5")]
    [TestCase("""{"format":1}""", "format", "#", "expected a string, got 1")]
    [TestCase("""{"deprecated":"no"}""", "deprecated", "#", "expected a boolean, got \"no\"")]
    [TestCase("""{"examples":{}}""", "examples", "#", "expected an array, got {}")]
    [TestCase("""{"$id":"https://example.com/s.json#part"}""", "$id", "#", "expected a URI without a fragment")]
    [TestCase("""{"pattern":"(a"}""", "pattern", "#", "invalid regular expression \"(a\" in 'pattern' at #")]
    [TestCase("""{"properties":{"p":{"patternProperties":{"[a-":{}}}}}""", "patternProperties", "#/properties/p", "invalid regular expression \"[a-\"")]
    [TestCase("""{"$schema":"http://json-schema.org/draft-07/schema#"}""", "$schema", "#", "only https://json-schema.org/draft/2020-12/schema is supported")]
    [TestCase("""{"type":"string","type":"integer"}""", "type", "#", "duplicate keyword 'type' at #")]
    public void Compile_InvalidKeywordValue_NamesKeywordLocationAndProblem(string schema, string keyword, string location, string fragment)
    {
        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile(schema));

        Assert.That(e.Keyword, Is.EqualTo(keyword));
        Assert.That(e.Location, Is.EqualTo(location));
        Assert.That(e.Message, Does.Contain(fragment));
        Assert.That(e.Message, Does.Contain($"'{keyword}'").Or.Contain(keyword + " "));
    }

    [TestCase("""{"$ref":"#/$defs/missing"}""", "#", "nothing at #/$defs")]
    [TestCase("""{"$defs":{"a":{}},"$ref":"#/$defs/b"}""", "#", "nothing at #/$defs/b")]
    [TestCase("""{"properties":{"a":{"$ref":"other.json"}}}""", "#/properties/a", "only references within this document")]
    [TestCase("""{"$ref":"https://json-schema.org/draft/2020-12/schema"}""", "#", "only references within this document")]
    [TestCase("""{"$id":"https://example.com/a.json","$ref":"https://example.com/b.json"}""", "#", "only references within this document")]
    [TestCase("""{"$ref":"#node"}""", "#", "anchors are not supported")]
    [TestCase("""{"prefixItems":[{}],"$ref":"#/prefixItems/01"}""", "#", "nothing at #/prefixItems/01")]
    [TestCase("""{"prefixItems":[{}],"$ref":"#/prefixItems/1"}""", "#", "nothing at #/prefixItems/1")]
    public void Compile_UnresolvableRef_NamesRefAndLocation(string schema, string location, string fragment)
    {
        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile(schema));

        Assert.That(e.Keyword, Is.EqualTo("$ref"));
        Assert.That(e.Location, Is.EqualTo(location));
        Assert.That(e.Message, Does.StartWith("unresolvable $ref "));
        Assert.That(e.Message, Does.Contain(fragment));
    }

    [TestCase("{\"type\": ", "schema is not valid JSON")]
    [TestCase("1", "schema at # must be an object or a boolean, got 1")]
    [TestCase("""{"properties":{"a":"string"}}""", "schema at #/properties/a must be an object or a boolean, got \"string\"")]
    [TestCase("""{"not":null}""", "schema at #/not must be an object or a boolean, got null")]
    public void Compile_NotASchema_Throws(string schema, string fragment)
    {
        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile(schema));

        Assert.That(e.Message, Does.Contain(fragment));
        Assert.That(e.Keyword, Is.Null);
    }

    [TestCase("""{"$schema":"https://json-schema.org/draft/2020-12/schema"}""")]
    [TestCase("""{"$schema":"https://json-schema.org/draft/2020-12/schema#"}""")]
    [TestCase("""{"$id":"https://example.com/s.json","$comment":"c","title":"t","description":"d","default":1,"examples":[1],"deprecated":false,"readOnly":true,"writeOnly":false}""")]
    [TestCase("""{"format":"email","contentMediaType":"application/json","contentEncoding":"base64","contentSchema":{"type":"object"}}""")]
    [TestCase("""{"definitions":{"a":{"type":"string"}},"$defs":{"b":false}}""")]
    [TestCase("""{"if":{"type":"string"}}""")]
    [TestCase("""{"then":false,"else":false}""")]
    [TestCase("""{"minContains":2,"maxContains":0}""")]
    public void Compile_AnnotationsAndInertKeywords_AcceptEveryValue(string schema)
    {
        CompiledSchema compiled = CompiledSchema.Compile(schema);

        foreach (string instance in new[] { "\"text\"", "[1]", "{}", "null", "-2.5" })
        {
            Assert.That(compiled.Validate(instance).IsValid, Is.True, instance);
        }
    }

    [Test]
    public void Compile_SchemaDeclaringDraft202012_StillAppliesItsKeywords()
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"string"}""");

        Assert.That(schema.Validate("\"a\"").IsValid, Is.True);
        Assert.That(schema.Validate("1").IsValid, Is.False);
    }

    [Test]
    public void Compile_FormatKeyword_IsAnnotationOnly()
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"format":"email"}""");

        Assert.That(schema.Validate("\"not an email\"").IsValid, Is.True);
    }

    [Test]
    public void Compile_InvalidContentSchema_IsStillReported()
    {
        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile("""{"contentSchema":{"minLength":-1}}"""));

        Assert.That(e.Location, Is.EqualTo("#/contentSchema"));
    }

    [Test]
    public void Compile_ElementFromDisposedDocument_KeepsItsOwnCopy()
    {
        CompiledSchema schema;
        using (JsonDocument document = JsonDocument.Parse("""{"enum":[{"a":[1,2]},"x"]}"""))
        {
            schema = CompiledSchema.Compile(document.RootElement);
        }

        Assert.That(schema.Validate("""{"a":[1,2.0]}""").IsValid, Is.True);
        Assert.That(schema.Validate("\"y\"").IsValid, Is.False);
    }

    [Test]
    public void Compile_DeeplyNestedSchema_ThrowsSchemaExceptionNotStackOverflow()
    {
        string schema = string.Concat(Enumerable.Repeat("""{"not":""", 1000)) + "true" + new string('}', 1000);
        using JsonDocument document = JsonDocument.Parse(schema, new JsonDocumentOptions { MaxDepth = 2000 });

        SchemaException e = Assert.Throws<SchemaException>(() => CompiledSchema.Compile(document.RootElement));

        Assert.That(e.Message, Does.StartWith("schema nested deeper than"));
    }
}
