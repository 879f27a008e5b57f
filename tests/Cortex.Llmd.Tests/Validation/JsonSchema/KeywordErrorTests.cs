using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>Each keyword's failure: the instance path, the keyword named, and the exact message.</summary>
public class KeywordErrorTests
{
    [TestCase("""{"properties":{"age":{"type":"integer"}}}""", """{"age":1.5}""", "/age", "type", "expected integer, got number 1.5")]
    [TestCase("""{"type":["string","null"]}""", """{}""", "", "type", "expected string or null, got object")]
    [TestCase("""{"type":"string"}""", "true", "", "type", "expected string, got boolean true")]
    [TestCase("""{"type":"array"}""", "2.0", "", "type", "expected array, got integer 2.0")]
    [TestCase("""{"enum":["a","b"]}""", "\"c\"", "", "enum", "\"c\" is not one of \"a\", \"b\"")]
    [TestCase("""{"enum":[]}""", "1", "", "enum", "no value is allowed (enum is empty)")]
    [TestCase("""{"const":{"a":1}}""", """{"a":2}""", "", "const", """expected {"a":1}, got {"a":2}""")]
    [TestCase("""{"properties":{"x":false}}""", """{"x":1}""", "/x", "properties", "property \"x\" is not allowed")]
    [TestCase("""{"required":["name"]}""", "{}", "", "required", "missing required property \"name\"")]
    [TestCase("""{"properties":{"a":{}},"additionalProperties":false}""", """{"a":1,"b":2}""", "/b", "additionalProperties", "property \"b\" is not allowed")]
    [TestCase("""{"additionalProperties":{"type":"string"}}""", """{"n":1}""", "/n", "type", "expected string, got integer 1")]
    [TestCase("""{"patternProperties":{"^x-":{"type":"string"}}}""", """{"x-a":1,"y":1}""", "/x-a", "type", "expected string, got integer 1")]
    [TestCase("""{"patternProperties":{"^_":false}}""", """{"_a":1}""", "/_a", "patternProperties", "property \"_a\" is not allowed")]
    [TestCase("""{"propertyNames":{"maxLength":3}}""", """{"abc":1,"long":1}""", "", "propertyNames", "property name \"long\" does not match the propertyNames schema")]
    [TestCase("""{"minProperties":2}""", """{"a":1}""", "", "minProperties", "object has 1 property, fewer than minProperties 2")]
    [TestCase("""{"maxProperties":1}""", """{"a":1,"b":2}""", "", "maxProperties", "object has 2 properties, more than maxProperties 1")]
    [TestCase("""{"dependentRequired":{"card":["cvv"]}}""", """{"card":"x"}""", "", "dependentRequired", "missing required property \"cvv\" when \"card\" is present")]
    [TestCase("""{"dependentSchemas":{"card":{"required":["cvv"]}}}""", """{"card":1}""", "", "required", "missing required property \"cvv\"")]
    [TestCase("""{"items":{"type":"integer"}}""", """[1,"x"]""", "/1", "type", "expected integer, got string \"x\"")]
    [TestCase("""{"prefixItems":[{}],"items":false}""", "[1,2,3]", "", "items", "array has 3 items, but only 1 is allowed")]
    [TestCase("""{"prefixItems":[{"type":"string"}]}""", "[1]", "/0", "type", "expected string, got integer 1")]
    [TestCase("""{"prefixItems":[true,false]}""", "[1,2]", "/1", "prefixItems", "no item is allowed at this position")]
    [TestCase("""{"contains":{"type":"string"}}""", "[1,2]", "", "contains", "array has no item matching the contains schema")]
    [TestCase("""{"contains":{"type":"string"},"minContains":2}""", """["a",1]""", "", "minContains", "array has 1 item matching the contains schema, fewer than minContains 2")]
    [TestCase("""{"contains":{"type":"string"},"maxContains":1}""", """["a","b"]""", "", "maxContains", "array has more than 1 items matching the contains schema (maxContains 1)")]
    [TestCase("""{"minItems":2}""", "[1]", "", "minItems", "array has 1 item, fewer than minItems 2")]
    [TestCase("""{"maxItems":1}""", "[1,2]", "", "maxItems", "array has 2 items, more than maxItems 1")]
    [TestCase("""{"uniqueItems":true}""", """[1,{"a":1},1.0]""", "", "uniqueItems", "items 0 and 2 are equal; items must be unique")]
    [TestCase("""{"uniqueItems":true}""", """[{"a":1,"b":[2]},{"b":[2.0],"a":1}]""", "", "uniqueItems", "items 0 and 1 are equal; items must be unique")]
    [TestCase("""{"minLength":3}""", "\"ab\"", "", "minLength", "string has 2 characters, fewer than minLength 3")]
    [TestCase("""{"maxLength":2}""", "\"abc\"", "", "maxLength", "string has 3 characters, more than maxLength 2")]
    [TestCase("""{"pattern":"^a+$"}""", "\"ab\"", "", "pattern", "\"ab\" does not match pattern \"^a+$\"")]
    [TestCase("""{"properties":{"age":{"minimum":18}}}""", """{"age":17}""", "/age", "minimum", "17 is less than minimum 18")]
    [TestCase("""{"maximum":10}""", "10.5", "", "maximum", "10.5 is greater than maximum 10")]
    [TestCase("""{"exclusiveMinimum":0}""", "0", "", "exclusiveMinimum", "0 is not greater than exclusiveMinimum 0")]
    [TestCase("""{"exclusiveMaximum":1}""", "1.0", "", "exclusiveMaximum", "1.0 is not less than exclusiveMaximum 1")]
    [TestCase("""{"multipleOf":0.01}""", "0.125", "", "multipleOf", "0.125 is not a multiple of 0.01")]
    [TestCase("""{"allOf":[{"type":"string"},{"minLength":2}]}""", "\"a\"", "", "minLength", "string has 1 character, fewer than minLength 2")]
    [TestCase("""{"anyOf":[{"type":"string"},{"type":"integer"}]}""", "1.5", "", "anyOf", "value matches none of the 2 schemas in anyOf")]
    [TestCase("""{"oneOf":[{"type":"string"},{"type":"integer"}]}""", "null", "", "oneOf", "value matches none of the 2 schemas in oneOf")]
    [TestCase("""{"oneOf":[{"type":"number"},{"type":"string"},{"type":"integer"}]}""", "1", "", "oneOf", "value matches more than one schema in oneOf (at least indexes 0 and 2)")]
    [TestCase("""{"not":{"type":"null"}}""", "null", "", "not", "value must not match the schema in 'not'")]
    [TestCase("""{"if":{"required":["a"]},"then":{"required":["b"]},"else":{"required":["c"]}}""", """{"a":1}""", "", "required", "missing required property \"b\"")]
    [TestCase("""{"if":{"required":["a"]},"then":{"required":["b"]},"else":{"required":["c"]}}""", """{"z":1}""", "", "required", "missing required property \"c\"")]
    [TestCase("""{"if":{"type":"string"},"then":false}""", "\"x\"", "", "then", "value is not allowed when it matches the 'if' schema")]
    [TestCase("""{"if":{"type":"string"},"else":false}""", "1", "", "else", "value is not allowed when it does not match the 'if' schema")]
    [TestCase("""{"$defs":{"pos":{"minimum":0}},"properties":{"n":{"$ref":"#/$defs/pos"}}}""", """{"n":-1}""", "/n", "minimum", "-1 is less than minimum 0")]
    [TestCase("false", "1", "", "false", "no value is allowed here (the schema is false)")]
    [TestCase("""{"properties":{"a/b":{"properties":{"c~d":{"type":"string"}}}}}""", """{"a/b":{"c~d":1}}""", "/a~1b/c~0d", "type", "expected string, got integer 1")]
    [TestCase("""{"properties":{"items":{"items":{"properties":{"name":{"type":"string"}}}}}}""", """{"items":[{"name":"x"},{"name":3}]}""", "/items/1/name", "type", "expected string, got integer 3")]
    public void Validate_OneKeywordFails_ReportsPathKeywordAndMessage(string schema, string instance, string path, string keyword, string message)
    {
        ValidationResult result = CompiledSchema.Compile(schema).Validate(instance);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Is.EqualTo(new[] { new ValidationError(path, keyword, message) }));
    }

    [TestCase("""{"contains":{"type":"string"},"minContains":0}""", "[]", true)]
    [TestCase("""{"contains":{"type":"string"},"minContains":0}""", "[1,2]", true)]
    [TestCase("""{"contains":{"type":"string"},"minContains":0,"maxContains":1}""", """["a"]""", true)]
    [TestCase("""{"contains":{"type":"string"},"minContains":0,"maxContains":1}""", """["a","b"]""", false)]
    [TestCase("""{"contains":{"type":"string"},"minContains":0,"maxContains":0}""", """[1,"a"]""", false)]
    [TestCase("""{"contains":{"type":"string"},"minContains":2,"maxContains":3}""", """["a",1,"b","c"]""", true)]
    [TestCase("""{"minContains":0}""", "[]", true)]
    [TestCase("""{"maxContains":0}""", "[1]", true)]
    public void Validate_ContainsBounds_FollowMinAndMaxContains(string schema, string instance, bool valid)
    {
        Assert.That(CompiledSchema.Compile(schema).Validate(instance).IsValid, Is.EqualTo(valid));
    }

    [Test]
    public void ValidationError_ToString_PrefixesInstancePath()
    {
        ValidationResult result = CompiledSchema.Compile("""{"properties":{"age":{"minimum":18}}}""").Validate("""{"age":17}""");

        Assert.That(result.Errors.Select(e => e.ToString()), Is.EqualTo(new[] { "/age: 17 is less than minimum 18" }));
        Assert.That(new ValidationError("", "type", "expected string, got integer 1").ToString(), Is.EqualTo("(root): expected string, got integer 1"));
    }

    [Test]
    public void Validate_SeveralKeywordsFail_ReportsEveryErrorInSchemaOrder()
    {
        CompiledSchema schema = CompiledSchema.Compile("""
            {"type":"object","properties":{"a":{"type":"string"},"b":{"maxLength":1}},"required":["c"]}
            """);

        ValidationResult result = schema.Validate("""{"a":1,"b":"xyz"}""");

        Assert.That(result.Errors.Select(e => (e.InstancePath, e.Keyword)),
            Is.EqualTo(new[] { ("/a", "type"), ("/b", "maxLength"), ("", "required") }));
        Assert.That(result.Truncated, Is.False);
    }

    [Test]
    public void Validate_PrefixItemFailsAndItemsFalse_ReportsBoth()
    {
        ValidationResult result = CompiledSchema.Compile("""{"prefixItems":[{"type":"string"}],"items":false}""").Validate("[1,2]");

        Assert.That(result.Errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "/0: expected string, got integer 1",
            "(root): array has 2 items, but only 1 is allowed",
        }));
    }

    [Test]
    public void Validate_ValidInstance_HasNoErrors()
    {
        CompiledSchema schema = CompiledSchema.Compile("""
            {"type":"object","properties":{"name":{"type":"string","minLength":1},"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true}},
             "required":["name"],"additionalProperties":false}
            """);

        ValidationResult result = schema.Validate("""{"name":"cortex","tags":["a","b"]}""");

        Assert.That(result.IsValid, Is.True);
        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.ToString(), Is.EqualTo("valid"));
    }

    [Test]
    public void Validate_TextIsNotJson_ReportsJsonErrorInsteadOfThrowing()
    {
        ValidationResult result = CompiledSchema.Compile("true").Validate("{\"a\": ");

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Has.Count.EqualTo(1));
        Assert.That(result.Errors[0].Keyword, Is.EqualTo("json"));
        Assert.That(result.Errors[0].InstancePath, Is.Empty);
        Assert.That(result.Errors[0].Message, Does.StartWith("not valid JSON: "));
    }

    [Test]
    public void Validate_ManyFailures_StopsAtErrorCapAndSaysSo()
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"items":{"type":"string"}}""");
        string instance = "[" + string.Join(',', Enumerable.Range(0, 10_000)) + "]";

        ValidationResult result = schema.Validate(instance);

        Assert.That(result.Errors, Has.Count.EqualTo(CompiledSchema.MaxErrors));
        Assert.That(result.Truncated, Is.True);
        Assert.That(result.Errors[^1].InstancePath, Is.EqualTo("/49"));
        Assert.That(result.ToString(), Does.EndWith("(more errors not shown)"));
    }
}
