using System.Text.Json;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

public class JsonAnswerExtractorTests
{
    [TestCase("```json\n{\"answer\": 1}\n```", "{\"answer\": 1}")]
    [TestCase("Here it is:\n\n```json\n{\"answer\": 1}\n```\nAnything else?", "{\"answer\": 1}")]
    [TestCase("```\n[1, 2]\n```", "[1, 2]")]
    [TestCase("```JSON\n{}\n```", "{}")]
    [TestCase("```json\r\n{\"a\": true}\r\n```\r\n", "{\"a\": true}")]
    [TestCase("  {\"answer\": 1}\n\n", "{\"answer\": 1}")]
    [TestCase("\"just a string\"", "\"just a string\"")]
    [TestCase("```json\n{\"first\": 1}\n```\n\n```json\n{\"second\": 2}\n```", "{\"first\": 1}")]
    [TestCase("```bash\nls -l\n```\nThen:\n```json\n{\"b\": 2}\n```", "{\"b\": 2}")]
    [TestCase("```json\n{\"cut\": \"off\"}", "{\"cut\": \"off\"}")]
    [TestCase("   ```json\n{\"indented\": 1}\n   ```", "{\"indented\": 1}")]
    public void TryExtract_JsonPresent_ReturnsParsedDocument(string content, string expectedJson)
    {
        bool found = JsonAnswerExtractor.TryExtract(content, out JsonDocument? document);

        using (document)
        {
            Assert.That(found, Is.True);
            using JsonDocument expected = JsonDocument.Parse(expectedJson);
            Assert.That(JsonElement.DeepEquals(document!.RootElement, expected.RootElement), Is.True, document.RootElement.GetRawText());
        }
    }

    [TestCase("Sure! Here is the JSON: {\"answer\": 1}")]
    [TestCase("{\"answer\": 1} hope that helps")]
    [TestCase("```json\n{answer: 1}\n```")]
    [TestCase("```json\n```")]
    [TestCase("```python\nprint({\"a\": 1})\n```")]
    [TestCase("")]
    [TestCase("   \n  ")]
    public void TryExtract_NoParsableJson_ReturnsFalse(string content)
    {
        bool found = JsonAnswerExtractor.TryExtract(content, out JsonDocument? document);

        Assert.That(found, Is.False);
        Assert.That(document, Is.Null);
    }

    [Test]
    public void TryExtract_ThenValidate_ChecksTheModelsAnswer()
    {
        CompiledSchema schema = CompiledSchema.Compile("""{"type":"object","required":["answer"],"properties":{"answer":{"type":"integer"}}}""");

        Assert.That(JsonAnswerExtractor.TryExtract("```json\n{\"answer\": \"42\"}\n```", out JsonDocument? document), Is.True);
        using (document)
        {
            Assert.That(schema.Validate(document!.RootElement).Errors.Select(e => e.ToString()),
                Is.EqualTo(new[] { "/answer: expected integer, got string \"42\"" }));
        }
    }
}
