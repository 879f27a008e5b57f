using System.Diagnostics;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>Unicode lengths, hostile patterns and extreme numbers: judged, never a crash.</summary>
public class LimitTests
{
    [TestCase("""{"maxLength":1}""", "\"😀\"", true)]
    [TestCase("""{"minLength":2}""", "\"😀\"", false)]
    [TestCase("""{"minLength":2,"maxLength":2}""", "\"😀😀\"", true)]
    [TestCase("""{"maxLength":3}""", "\"👩‍💻\"", true)]
    [TestCase("""{"maxLength":2}""", "\"👩‍💻\"", false)]
    [TestCase("""{"maxLength":1}""", "\"é\"", true)]
    [TestCase("""{"maxLength":1}""", "\"e\\u0301\"", false)]
    [TestCase("""{"maxLength":1}""", "\"\\ud83d\\ude00\"", true)]
    [TestCase("""{"maxLength":1}""", "\"\\ud800\"", true)]
    [TestCase("""{"minLength":2}""", "\"\\ud800\\ud800\"", true)]
    public void Validate_StringLength_CountsCodePoints(string schema, string instance, bool valid)
    {
        Assert.That(CompiledSchema.Compile(schema).Validate(instance).IsValid, Is.EqualTo(valid));
    }

    [Test]
    public void Validate_EmojiTooShort_MessageCountsOneCharacter()
    {
        ValidationResult result = CompiledSchema.Compile("""{"minLength":2}""").Validate("\"😀\"");

        Assert.That(result.Errors.Single().Message, Is.EqualTo("string has 1 character, fewer than minLength 2"));
    }

    [TestCase("""{"pattern":"^a"}""", false)]
    [TestCase("""{"const":"\ud800"}""", true)]
    [TestCase("""{"enum":["x","\ud800"]}""", true)]
    [TestCase("""{"uniqueItems":true,"items":{"type":"string"}}""", true)]
    public void Validate_LoneSurrogateEscape_IsJudgedNotThrown(string schema, bool valid)
    {
        ValidationResult result = CompiledSchema.Compile(schema).Validate("\"\\ud800\"");

        Assert.That(result.IsValid, Is.EqualTo(valid));
        Assert.That(result.Errors.Select(e => e.Message), Has.All.Not.Contain("\ud800"));
    }

    [Test]
    public void Validate_LoneSurrogateInPropertyName_IsJudgedNotThrown()
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"propertyNames":{"maxLength":2},"additionalProperties":false}""");

        ValidationResult result = schema.Validate("{\"a\\udc00\":1}");

        Assert.That(result.Errors.Select(e => (e.InstancePath, e.Keyword)), Is.EqualTo(new[] { ("/a\udc00", "additionalProperties") }));
        Assert.That(result.Errors[0].Message, Is.EqualTo("property \"a\\udc00\" is not allowed"));
    }

    [TestCase("{\"a\\udc00\":1}", true)]
    [TestCase("{\"a\":1}", false)]
    public void Validate_RequiredNameWithLoneSurrogate_IsFoundByDecodedName(string instance, bool valid)
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"required":["a\udc00"],"dependentRequired":{"a\udc00":["b"]}}""");

        ValidationResult result = schema.Validate(instance);

        Assert.That(result.Errors.Select(e => e.Keyword), Is.EqualTo(valid ? new[] { "dependentRequired" } : new[] { "required" }));
    }

    [TestCase("""{"pattern":"^(a+)+$"}""", "pattern")]
    [TestCase("""{"not":{"pattern":"^(a+)+$"}}""", "pattern")]
    [TestCase("""{"propertyNames":{"pattern":"^(a+)+$"}}""", "pattern")]
    [TestCase("""{"patternProperties":{"^(a+)+$":true}}""", "patternProperties")]
    public void Validate_CatastrophicPattern_TimesOutAsValidationError(string schema, string keyword)
    {
        CompiledSchema compiled = CompiledSchema.Compile(schema);
        string evil = new string('a', 40) + "!";
        string instance = keyword == "pattern" && !schema.Contains("propertyNames", StringComparison.Ordinal)
            ? $"\"{evil}\""
            : $"{{\"{evil}\":1,\"{evil}b\":2}}";
        var clock = Stopwatch.StartNew();

        ValidationResult result = compiled.Validate(instance);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors[^1].Keyword, Is.EqualTo(keyword));
        Assert.That(result.Errors[^1].Message, Does.Contain("took longer than 250 ms"));
        // Stops at the first timeout instead of spending the limit on every string.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [TestCase("""{"maximum":1e308}""", "1e309", false)]
    [TestCase("""{"maximum":1e308}""", "1e308", true)]
    [TestCase("""{"minimum":-1e400}""", "-1e399", true)]
    [TestCase("""{"minimum":-1e400}""", "-1e401", false)]
    [TestCase("""{"exclusiveMaximum":1e-400}""", "0", true)]
    [TestCase("""{"exclusiveMinimum":0}""", "1e-400", true)]
    [TestCase("""{"exclusiveMinimum":0}""", "-1e-400", false)]
    [TestCase("""{"type":"integer"}""", "1e308", true)]
    [TestCase("""{"type":"integer"}""", "1e400", true)]
    [TestCase("""{"type":"integer"}""", "1.5e-400", false)]
    [TestCase("""{"type":"integer"}""", "12.5e1", true)]
    [TestCase("""{"multipleOf":0.5}""", "1e308", true)]
    [TestCase("""{"multipleOf":0.3}""", "1e308", false)]
    [TestCase("""{"multipleOf":7}""", "1e30", false)]
    [TestCase("""{"multipleOf":7}""", "7e30", true)]
    [TestCase("""{"multipleOf":1e-308}""", "1", true)]
    [TestCase("""{"multipleOf":1e308}""", "1", false)]
    [TestCase("""{"multipleOf":0.1}""", "0.3", true)]
    [TestCase("""{"multipleOf":0.01}""", "19.99", true)]
    [TestCase("""{"multipleOf":0.0001}""", "0.0075", true)]
    [TestCase("""{"multipleOf":0.0001}""", "0.00075", false)]
    [TestCase("""{"multipleOf":1e-400}""", "3e-399", true)]
    [TestCase("""{"const":9007199254740993}""", "9007199254740992", false)]
    [TestCase("""{"const":9007199254740993}""", "9007199254740993.0", true)]
    [TestCase("""{"enum":[1e400]}""", "10e399", true)]
    [TestCase("""{"enum":[0.1]}""", "0.10000000000000001", false)]
    [TestCase("""{"maxItems":1e30}""", "[1]", true)]
    [TestCase("""{"minItems":1e30}""", "[]", false)]
    [TestCase("""{"maxLength":99999999999999999999999999999999}""", "\"abc\"", true)]
    public void Validate_ExtremeNumbers_ComparedExactlyWithoutThrowing(string schema, string instance, bool valid)
    {
        Assert.That(CompiledSchema.Compile(schema).Validate(instance).IsValid, Is.EqualTo(valid));
    }

    [Test]
    public void Validate_NumberWithThousandsOfDigits_ComparedExactlyAndMultipleOfDoesNotThrow()
    {
        string huge = new('7', 3000);

        Assert.That(CompiledSchema.Compile("""{"type":"integer","minimum":7.7e2999,"maximum":7.8e2999}""").Validate(huge).IsValid, Is.True);
        Assert.That(CompiledSchema.Compile("""{"minimum":7.8e2999}""").Validate(huge).Errors.Single().Keyword, Is.EqualTo("minimum"));
        // Beyond a thousand digits multipleOf falls back to double, which cannot judge this; it must still answer.
        Assert.That(() => CompiledSchema.Compile("""{"multipleOf":7}""").Validate(huge), Throws.Nothing);
    }
}
