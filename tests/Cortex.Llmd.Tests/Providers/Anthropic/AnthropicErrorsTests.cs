using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Anthropic;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Tests.Providers.Anthropic;

/// <summary>The error types the fake's stream tests do not cover; those are driven end to end in AnthropicFaultTests.</summary>
public class AnthropicErrorsTests
{
    [TestCase("billing_error", ProviderErrorKind.Auth)]
    [TestCase("timeout_error", ProviderErrorKind.Timeout)]
    [TestCase("request_too_large", ProviderErrorKind.ContextTooLong)]
    [TestCase("not_found_error", ProviderErrorKind.BadRequest)]
    [TestCase("brand_new_error", ProviderErrorKind.Server)]
    [TestCase(null, ProviderErrorKind.Server)]
    public void Classify_ErrorType_MapsToKind(string? type, ProviderErrorKind kind) =>
        Assert.That(AnthropicErrors.Classify(type, "message"), Is.EqualTo(kind));

    [Test]
    public void FromStreamError_MessageWithKeyAndNewlines_IsRedactedAndFlattened()
    {
        var key = new ApiKey("sk-ant-0123456789");

        ProviderException ex = AnthropicErrors.FromStreamError("claude", new AnthropicWireError { Type = "api_error", Message = "bad\nkey sk-ant-0123456789" }, key);

        Assert.That(ex.Message, Is.EqualTo("claude: stream error api_error: bad key ***"));
    }
}
