using System.Collections;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Ollama;
using Cortex.Llmd.Providers.OpenAi;
using Cortex.Llmd.Tests.Support.Fakes;
using static Cortex.Llmd.Tests.Providers.OpenAi.OpenAiTestKit;

namespace Cortex.Llmd.Tests.Providers.Ollama;

public class OllamaProviderTests
{
    private static OpenAiProvider Create(string providerJson, IDictionary? environment = null)
    {
        (ProviderOptions? options, IReadOnlyList<string> errors) = ParseProvider(providerJson);
        Assert.That(errors, Is.Empty);
        return (OpenAiProvider)new OllamaProviderFactory().Create(options!, new ProviderContext(TimeProvider.System, environment ?? new Hashtable()));
    }

    [Test]
    public void Parse_OnlyKind_AppliesOllamaDefaults()
    {
        (ProviderOptions? options, _) = ParseProvider("""{ "kind": "ollama" }""");

        var settings = (OpenAiSettings)options!.Settings;
        Assert.That(options.Kind, Is.EqualTo("ollama"));
        Assert.That(settings.BaseUrl, Is.EqualTo(new Uri("http://127.0.0.1:11434/v1/")));
        Assert.That(settings.RequireKey, Is.False);
        Assert.That(settings.StructuredOutput, Is.EqualTo(StructuredOutputMode.JsonObject));
        Assert.That(settings.StreamUsage, Is.True);
        Assert.That(options.CapabilitiesOf("llama3.1:8b"), Is.EqualTo(new ModelCapabilities(8192, Tools: true, JsonSchema: true, Streaming: true)));
    }

    [Test]
    public void Parse_OpenAiKeys_AreAcceptedAndUnknownKeysRejected()
    {
        (ProviderOptions? options, IReadOnlyList<string> errors) = ParseProvider("""{ "kind": "ollama", "baseUrl": "http://gpu-box:11434/v1", "structuredOutput": "json_schema", "host": "x" }""");

        Assert.That(errors.Single(), Does.StartWith("providers.p.host: unknown key"));
        Assert.That(options, Is.Null);
    }

    [Test]
    public void Describe_NoKeyConfigured_ShowsBaseUrlAndKeyPresent()
    {
        using OpenAiProvider provider = Create("""{ "kind": "ollama" }""");

        ProviderDescription description = provider.Describe();

        Assert.That(provider.Kind, Is.EqualTo("ollama"));
        Assert.That(description.BaseUrl, Is.EqualTo("http://127.0.0.1:11434/v1/"));
        Assert.That(description.KeyPresent, Is.True, "no key is needed");
        Assert.That(description.Unavailable, Is.Null);
    }

    [Test]
    public void Describe_KeySourceConfiguredButMissing_IsUnavailable()
    {
        using OpenAiProvider provider = Create("""{ "kind": "ollama", "apiKeyEnv": "OLLAMA_PROXY_KEY" }""");

        Assert.That(provider.Describe().Unavailable, Is.EqualTo("no key: environment variable OLLAMA_PROXY_KEY is not set"));
    }

    [Test]
    public async Task StreamAsync_AgainstV1_SendsNoKeyAndJsonObjectFormatAndReadsTheAnswer()
    {
        await using FakeOpenAiServer server = await FakeOpenAiServer.StartNewAsync("v1");
        server.Text = "Local answer.";
        server.Usage = new FakeUsage(Prompt: 40, Completion: 6, Cached: 0, Reasoning: 0);
        using OpenAiProvider provider = Create($$"""{ "kind": "ollama", "baseUrl": "{{server.BaseUrl}}" }""");
        const string schema = """{"type":"object","properties":{"ok":{"type":"boolean"}}}""";

        List<ProviderEvent> events = await Collect(provider, Call(r => r.ResponseJsonSchema = schema, OllamaProviderFactory.Capabilities, model: "llama3.1:8b"));

        RecordedRequest request = server.Requests.Single();
        Assert.That(request.Path, Is.EqualTo("/v1/chat/completions"));
        Assert.That(request.Headers.ContainsKey("authorization"), Is.False);
        JsonElement body = request.Json;
        Assert.That(body.GetProperty("response_format").GetRawText(), Is.EqualTo("""{"type":"json_object"}"""));
        Assert.That(body.GetProperty("messages")[0].GetProperty("content").GetString(), Does.EndWith(schema));
        Assert.That(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean(), Is.True);
        Assert.That(Text(events), Is.EqualTo("Local answer."));
        Assert.That(((Completion)events[^1]).Usage, Is.EqualTo(new Usage { InputTokens = 40, OutputTokens = 6 }));
    }

    [Test]
    public async Task StreamAsync_KeyConfiguredBehindAProxy_SendsTheBearerKey()
    {
        await using FakeOpenAiServer server = await FakeOpenAiServer.StartNewAsync("v1");
        using OpenAiProvider provider = Create($$"""{ "kind": "ollama", "baseUrl": "{{server.BaseUrl}}", "apiKeyEnv": "{{KeyVariable}}" }""", Environment());

        await Collect(provider, Call(model: "llama3.1:8b"));

        Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer " + Key));
    }

    [TestCase("http://127.0.0.1:11434/v1/", "http://127.0.0.1:11434/")]
    [TestCase("http://gpu-box/ollama/v1/", "http://gpu-box/ollama/")]
    [TestCase("http://gpu-box:8080/", "http://gpu-box:8080/")]
    public void NativeRoot_V1BaseUrl_IsTheServerRoot(string baseUrl, string expected)
    {
        Assert.That(OllamaProviderFactory.NativeRoot(new Uri(baseUrl)), Is.EqualTo(new Uri(expected)));
    }
}
