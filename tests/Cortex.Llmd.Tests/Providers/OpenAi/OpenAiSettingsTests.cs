using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.OpenAi;
using static Cortex.Llmd.Tests.Providers.OpenAi.OpenAiTestKit;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

public class OpenAiSettingsTests
{
    private static OpenAiSettings Parsed(string providerJson)
    {
        (ProviderOptions? provider, IReadOnlyList<string> errors) = ParseProvider(providerJson);
        Assert.That(errors, Is.Empty);
        return (OpenAiSettings)provider!.Settings;
    }

    private static IReadOnlyList<string> Errors(string providerJson) => ParseProvider(providerJson).Errors;

    [Test]
    public void Parse_OnlyKind_AppliesOpenAiDefaults()
    {
        (ProviderOptions? provider, IReadOnlyList<string> errors) = ParseProvider("""{ "kind": "openai", "apiKeyEnv": "OPENAI_API_KEY" }""");

        Assert.That(errors, Is.Empty);
        var settings = (OpenAiSettings)provider!.Settings;
        Assert.That(settings.BaseUrl, Is.EqualTo(new Uri("https://api.openai.com/v1/")));
        Assert.That(settings.KeySource.Environment, Is.EqualTo("OPENAI_API_KEY"));
        Assert.That(settings.RequireKey, Is.True);
        Assert.That(settings.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(settings.ExtraHeaders, Is.Empty);
        Assert.That(settings.DefaultMaxTokens, Is.Null);
        Assert.That(settings.MaxTokensField, Is.EqualTo(MaxTokensField.MaxTokens));
        Assert.That(settings.StructuredOutput, Is.EqualTo(StructuredOutputMode.JsonSchema));
        Assert.That(settings.StreamUsage, Is.True);
        Assert.That(provider.Kind, Is.EqualTo("openai"));
        Assert.That(provider.CapabilitiesOf("any-model"), Is.EqualTo(new Cortex.Llmd.Providers.ModelCapabilities(128_000, true, true, true)));
    }

    [Test]
    public void Parse_EveryKey_IsRead()
    {
        OpenAiSettings settings = Parsed("""
            { "kind": "openai", "baseUrl": "https://openrouter.ai/api/v1", "apiKeyFile": "/etc/cortex/openrouter.key",
              "requireKey": false, "connectTimeout": "2s", "extraHeaders": { "HTTP-Referer": "https://cortex.example", "X-Title": "cortex" },
              "defaultMaxTokens": 2048, "maxTokensField": "max_completion_tokens", "structuredOutput": "json_object", "streamUsage": false }
            """);

        Assert.That(settings.BaseUrl, Is.EqualTo(new Uri("https://openrouter.ai/api/v1/")), "a trailing slash keeps the path when chat/completions is appended");
        Assert.That(settings.KeySource.File, Is.EqualTo("/etc/cortex/openrouter.key"));
        Assert.That(settings.RequireKey, Is.False);
        Assert.That(settings.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(settings.ExtraHeaders["HTTP-Referer"], Is.EqualTo("https://cortex.example"));
        Assert.That(settings.ExtraHeaders["X-Title"], Is.EqualTo("cortex"));
        Assert.That(settings.DefaultMaxTokens, Is.EqualTo(2048));
        Assert.That(settings.MaxTokensField, Is.EqualTo(MaxTokensField.MaxCompletionTokens));
        Assert.That(settings.StructuredOutput, Is.EqualTo(StructuredOutputMode.JsonObject));
        Assert.That(settings.StreamUsage, Is.False);
    }

    [Test]
    public void Parse_ModelCapabilities_FallBackToTheKindDefaults()
    {
        (ProviderOptions? provider, _) = ParseProvider("""{ "kind": "openai", "models": { "small": { "contextWindow": 16000, "jsonSchema": false } } }""");

        Assert.That(provider!.CapabilitiesOf("small"), Is.EqualTo(new Cortex.Llmd.Providers.ModelCapabilities(16_000, true, false, true)));
    }

    [TestCase("ftp://example.com/v1")]
    [TestCase("not a url")]
    [TestCase("/v1")]
    [TestCase("https://example.com/v1?api-version=1")]
    [TestCase("https://user:pw@example.com/v1")]
    public void Parse_BadBaseUrl_IsReportedOnItsPath(string url)
    {
        IReadOnlyList<string> errors = Errors($$"""{ "kind": "openai", "baseUrl": "{{url}}" }""");

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.StartWith("providers.p.baseUrl: "));
    }

    [Test]
    public void Parse_UnknownKey_IsReported()
    {
        IReadOnlyList<string> errors = Errors("""{ "kind": "openai", "temprature": "0.5" }""");

        Assert.That(errors.Single(), Does.StartWith("providers.p.temprature: unknown key"));
    }

    [TestCase("Authorization", "apiKeyEnv")]
    [TestCase("authorization", "apiKeyEnv")]
    [TestCase("Content-Type", "set by the daemon")]
    [TestCase("Bad Header", "not a valid HTTP header name")]
    public void Parse_ForbiddenExtraHeader_IsReported(string name, string expected)
    {
        IReadOnlyList<string> errors = Errors($$"""{ "kind": "openai", "extraHeaders": { "{{name}}": "x" } }""");

        Assert.That(errors.Single(), Does.StartWith($"providers.p.extraHeaders.{name}: ").And.Contain(expected));
    }

    [Test]
    public void Parse_ExtraHeadersAsString_IsReported()
    {
        IReadOnlyList<string> errors = Errors("""{ "kind": "openai", "extraHeaders": "X-Title: cortex" }""");

        Assert.That(errors.Single(), Does.StartWith("providers.p.extraHeaders: expected an object"));
    }

    [TestCase("\"maxTokensField\": \"max_output_tokens\"", "maxTokensField")]
    [TestCase("\"structuredOutput\": \"grammar\"", "structuredOutput")]
    [TestCase("\"defaultMaxTokens\": 0", "defaultMaxTokens")]
    [TestCase("\"requireKey\": \"maybe\"", "requireKey")]
    [TestCase("\"streamUsage\": \"yes\"", "streamUsage")]
    [TestCase("\"connectTimeout\": \"1ms\"", "connectTimeout")]
    [TestCase("\"apiKeyFile\": \"relative/key\"", "apiKeyFile")]
    public void Parse_BadValue_IsReportedOnItsKey(string entry, string key)
    {
        IReadOnlyList<string> errors = Errors($$"""{ "kind": "openai", {{entry}} }""");

        Assert.That(errors.Single(), Does.StartWith($"providers.p.{key}: "));
    }

    [Test]
    public void Create_FromParsedOptions_DescribesBaseUrlAndMissingKey()
    {
        (ProviderOptions? options, _) = ParseProvider("""{ "kind": "openai", "baseUrl": "https://api.moonshot.ai/v1", "apiKeyEnv": "MOONSHOT_API_KEY" }""");
        using var provider = (OpenAiProvider)new OpenAiProviderFactory().Create(options!, new Cortex.Llmd.Providers.ProviderContext(TimeProvider.System, new System.Collections.Hashtable()));

        Cortex.Llmd.Providers.ProviderDescription description = provider.Describe();

        Assert.That(description.BaseUrl, Is.EqualTo("https://api.moonshot.ai/v1/"));
        Assert.That(description.KeyPresent, Is.False);
        Assert.That(description.Unavailable, Is.EqualTo("no key: environment variable MOONSHOT_API_KEY is not set"));
    }

    [Test]
    public void Create_RequireKeyWithNoKeySource_IsUnavailable()
    {
        (ProviderOptions? options, _) = ParseProvider("""{ "kind": "openai" }""");
        using var provider = (OpenAiProvider)new OpenAiProviderFactory().Create(options!, new Cortex.Llmd.Providers.ProviderContext(TimeProvider.System, new System.Collections.Hashtable()));

        Assert.That(provider.Describe().Unavailable, Does.StartWith("no key: no apiKeyEnv"));
    }
}
