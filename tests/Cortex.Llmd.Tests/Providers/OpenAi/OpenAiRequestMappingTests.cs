using System.Collections;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Http;
using Cortex.Llmd.Providers.OpenAi;
using Cortex.Llmd.Tests.Support.Fakes;
using static Cortex.Llmd.Tests.Providers.OpenAi.OpenAiTestKit;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

public class OpenAiRequestMappingTests
{
    private FakeOpenAiServer _server = null!;

    [SetUp]
    public async Task StartServer() => _server = await FakeOpenAiServer.StartNewAsync();

    [TearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private RecordedRequest Single() => _server.Requests.Single();

    private async Task<JsonElement> SendAsync(ProviderCall call, OpenAiSettings? settings = null)
    {
        using OpenAiProvider provider = Provider(settings ?? Settings(_server));
        await Collect(provider, call);
        return Single().Json;
    }

    [Test]
    public async Task StreamAsync_PlainRequest_PostsChatCompletionsWithBearerKeyAndStreamOptions()
    {
        JsonElement body = await SendAsync(Call());

        RecordedRequest request = Single();
        Assert.That(request.Method, Is.EqualTo("POST"));
        Assert.That(request.Path, Is.EqualTo("/v1/chat/completions"));
        Assert.That(request.Header("authorization"), Is.EqualTo("Bearer " + Key));
        Assert.That(request.Header("content-type"), Does.StartWith("application/json"));
        Assert.That(body.GetProperty("model").GetString(), Is.EqualTo("gpt-test"));
        Assert.That(body.GetProperty("stream").GetBoolean(), Is.True);
        Assert.That(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean(), Is.True);
        Assert.That(body.GetProperty("messages").GetRawText(), Is.EqualTo("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello."}]"""));
        Assert.That(body.TryGetProperty("temperature", out _), Is.False);
        Assert.That(body.TryGetProperty("max_tokens", out _), Is.False);
        Assert.That(body.TryGetProperty("tools", out _), Is.False);
        Assert.That(body.TryGetProperty("response_format", out _), Is.False);
    }

    [Test]
    public async Task StreamAsync_TemperatureAndMaxTokens_AreSent()
    {
        JsonElement body = await SendAsync(Call(r => { r.Temperature = 0.25; r.MaxTokens = 77; }));

        Assert.That(body.GetProperty("temperature").GetDouble(), Is.EqualTo(0.25));
        Assert.That(body.GetProperty("max_tokens").GetInt32(), Is.EqualTo(77));
    }

    [Test]
    public async Task StreamAsync_MaxCompletionTokensFieldAndDefault_SendsDefaultUnderConfiguredName()
    {
        OpenAiSettings settings = Settings(_server) with { MaxTokensField = MaxTokensField.MaxCompletionTokens, DefaultMaxTokens = 512 };

        JsonElement body = await SendAsync(Call(), settings);

        Assert.That(body.GetProperty("max_completion_tokens").GetInt32(), Is.EqualTo(512));
        Assert.That(body.TryGetProperty("max_tokens", out _), Is.False);
    }

    [Test]
    public async Task StreamAsync_StreamUsageOff_SendsNoStreamOptions()
    {
        JsonElement body = await SendAsync(Call(), Settings(_server) with { StreamUsage = false });

        Assert.That(body.TryGetProperty("stream_options", out _), Is.False);
    }

    [Test]
    public async Task StreamAsync_WholeAnswer_AsksForOneJsonAnswerWithoutStreamOptions()
    {
        JsonElement body = await SendAsync(Call() with { WholeAnswer = true });

        Assert.That(body.GetProperty("stream").GetBoolean(), Is.False);
        Assert.That(body.TryGetProperty("stream_options", out _), Is.False, "stream_options is only valid with stream=true");
        Assert.That(_server.Requests.Last().Header("accept"), Is.EqualTo("application/json"));
    }

    [Test]
    public async Task StreamAsync_ToolConversation_MapsToolsChoiceAssistantCallsAndToolResults()
    {
        ProviderCall call = Call(r =>
        {
            r.Messages.Add(new Message
            {
                Role = Role.Assistant,
                ToolCalls = { new ToolCall { Id = "call_1", Name = "get_weather", ArgumentsJson = """{"city":"Oslo"}""" } },
            });
            r.Messages.Add(new Message { Role = Role.Tool, ToolCallId = "call_1", Name = "get_weather", Content = """{"celsius":3}""" });
            r.Tools.Add(new Tool { Name = "get_weather", Description = "Weather now", ParametersJsonSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""" });
            r.Tools.Add(new Tool { Name = "no_args" });
            r.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Required };
        });

        JsonElement body = await SendAsync(call);

        JsonElement assistant = body.GetProperty("messages")[2];
        Assert.That(assistant.GetRawText(), Is.EqualTo(
            """{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]}"""));
        Assert.That(assistant.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("""{"city":"Oslo"}"""));
        JsonElement tool = body.GetProperty("messages")[3];
        Assert.That(tool.GetProperty("role").GetString(), Is.EqualTo("tool"));
        Assert.That(tool.GetProperty("tool_call_id").GetString(), Is.EqualTo("call_1"));
        Assert.That(tool.GetProperty("name").GetString(), Is.EqualTo("get_weather"));
        Assert.That(tool.GetProperty("content").GetString(), Is.EqualTo("""{"celsius":3}"""));
        JsonElement tools = body.GetProperty("tools");
        Assert.That(tools[0].GetRawText(), Is.EqualTo(
            """{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}"""));
        Assert.That(tools[1].GetProperty("function").GetProperty("parameters").GetRawText(), Is.EqualTo("""{"type":"object","properties":{}}"""));
        Assert.That(tools[1].GetProperty("function").TryGetProperty("description", out _), Is.False);
        Assert.That(body.GetProperty("tool_choice").GetString(), Is.EqualTo("required"));
    }

    [TestCase(ToolChoiceMode.Auto, "\"auto\"")]
    [TestCase(ToolChoiceMode.None, "\"none\"")]
    [TestCase(ToolChoiceMode.Required, "\"required\"")]
    public async Task StreamAsync_ToolChoiceMode_MapsToOpenAiString(ToolChoiceMode mode, string expected)
    {
        JsonElement body = await SendAsync(Call(r =>
        {
            r.Tools.Add(new Tool { Name = "t" });
            r.ToolChoice = new ToolChoice { Mode = mode };
        }));

        Assert.That(body.GetProperty("tool_choice").GetRawText(), Is.EqualTo(expected));
    }

    [Test]
    public async Task StreamAsync_ToolChoiceByName_SendsFunctionObject()
    {
        JsonElement body = await SendAsync(Call(r =>
        {
            r.Tools.Add(new Tool { Name = "a" });
            r.Tools.Add(new Tool { Name = "b" });
            r.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.None, ToolName = "b" };
        }));

        Assert.That(body.GetProperty("tool_choice").GetRawText(), Is.EqualTo("""{"type":"function","function":{"name":"b"}}"""));
    }

    [Test]
    public async Task StreamAsync_ToolChoiceWithoutTools_SendsNoToolChoice()
    {
        JsonElement body = await SendAsync(Call(r => r.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Required }));

        Assert.That(body.TryGetProperty("tool_choice", out _), Is.False);
    }

    [Test]
    public async Task StreamAsync_InvalidToolSchema_FailsAsBadRequestBeforeAnyRequest()
    {
        using OpenAiProvider provider = Provider(Settings(_server));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(provider, Call(r => r.Tools.Add(new Tool { Name = "t", ParametersJsonSchema = "{not json" }))));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.BadRequest));
        Assert.That(_server.Requests, Is.Empty);
    }

    private const string Schema = """{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}""";

    [Test]
    public async Task StreamAsync_SchemaWithJsonSchemaCapability_SendsResponseFormatJsonSchemaAndNoHint()
    {
        JsonElement body = await SendAsync(Call(r => r.ResponseJsonSchema = Schema));

        Assert.That(body.GetProperty("response_format").GetRawText(), Is.EqualTo(
            """{"type":"json_schema","json_schema":{"name":"response","schema":""" + Schema + ""","strict":false}}"""));
        Assert.That(body.GetProperty("messages")[0].GetProperty("content").GetString(), Is.EqualTo("Be brief."));
    }

    [Test]
    public async Task StreamAsync_SchemaWithoutJsonSchemaCapability_SendsNoResponseFormatButAHint()
    {
        var capabilities = new ModelCapabilities(128_000, Tools: true, JsonSchema: false, Streaming: true);

        JsonElement body = await SendAsync(Call(r => r.ResponseJsonSchema = Schema, capabilities));

        Assert.That(body.TryGetProperty("response_format", out _), Is.False);
        Assert.That(body.GetProperty("messages")[0].GetProperty("content").GetString(), Does.StartWith("Be brief.\n\n").And.EndWith(Schema));
        Assert.That(body.GetProperty("messages").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task StreamAsync_SchemaInJsonObjectMode_SendsJsonObjectAndHintAsFirstSystemMessage()
    {
        OpenAiSettings settings = Settings(_server) with { StructuredOutput = StructuredOutputMode.JsonObject };
        ProviderCall call = Call(r =>
        {
            r.Messages.RemoveAt(0);
            r.ResponseJsonSchema = Schema;
        });

        JsonElement body = await SendAsync(call, settings);

        Assert.That(body.GetProperty("response_format").GetRawText(), Is.EqualTo("""{"type":"json_object"}"""));
        JsonElement first = body.GetProperty("messages")[0];
        Assert.That(first.GetProperty("role").GetString(), Is.EqualTo("system"));
        Assert.That(first.GetProperty("content").GetString(), Does.Contain("JSON").And.EndWith(Schema));
        Assert.That(body.GetProperty("messages")[1].GetProperty("role").GetString(), Is.EqualTo("user"));
    }

    [Test]
    public async Task StreamAsync_SchemaInNoneMode_SendsOnlyTheHint()
    {
        OpenAiSettings settings = Settings(_server) with { StructuredOutput = StructuredOutputMode.None };

        JsonElement body = await SendAsync(Call(r => r.ResponseJsonSchema = Schema), settings);

        Assert.That(body.TryGetProperty("response_format", out _), Is.False);
        Assert.That(body.GetProperty("messages")[0].GetProperty("content").GetString(), Does.EndWith(Schema));
    }

    [Test]
    public async Task StreamAsync_ExtraHeaders_AreSentWithTheKey()
    {
        OpenAiSettings settings = Settings(_server) with
        {
            ExtraHeaders = new Dictionary<string, string> { ["HTTP-Referer"] = "https://cortex.example", ["X-Title"] = "cortex-llmd" },
        };

        await SendAsync(Call(), settings);

        Assert.That(Single().Header("http-referer"), Is.EqualTo("https://cortex.example"));
        Assert.That(Single().Header("x-title"), Is.EqualTo("cortex-llmd"));
        Assert.That(Single().Header("authorization"), Is.EqualTo("Bearer " + Key));
    }

    [Test]
    public async Task StreamAsync_RequireKeyFalseAndNoKeySource_SendsNoAuthorization()
    {
        OpenAiSettings settings = Settings(_server) with { RequireKey = false, KeySource = new ApiKeySource(null, null, null) };
        using OpenAiProvider provider = Provider(settings, new Hashtable());

        List<ProviderEvent> events = await Collect(provider, Call());

        Assert.That(events[^1], Is.TypeOf<Completion>());
        Assert.That(Single().Headers.ContainsKey("authorization"), Is.False);
        Assert.That(provider.Describe().KeyPresent, Is.True);
        Assert.That(provider.Describe().Unavailable, Is.Null);
    }

    [Test]
    public async Task StreamAsync_MoonshotBaseUrlWithPathPrefix_PostsUnderThePrefix()
    {
        await using FakeOpenAiServer moonshot = await FakeOpenAiServer.StartNewAsync("api/paas/v1");
        moonshot.UsageStyle = FakeUsageStyle.Moonshot;
        moonshot.Text = "Kimi says hi.";
        OpenAiSettings settings = Settings(moonshot);
        Assert.That(moonshot.BaseUrl.AbsolutePath, Is.EqualTo("/api/paas/v1"), "configured without a trailing slash");
        using OpenAiProvider provider = Provider(settings);

        List<ProviderEvent> events = await Collect(provider, Call(model: "kimi-k2-0905-preview"));

        RecordedRequest request = moonshot.Requests.Single();
        Assert.That(request.Path, Is.EqualTo("/api/paas/v1/chat/completions"));
        Assert.That(request.Json.GetProperty("model").GetString(), Is.EqualTo("kimi-k2-0905-preview"));
        Assert.That(Text(events), Is.EqualTo("Kimi says hi."));
        Assert.That(((Completion)events[^1]).Usage.CachedInputTokens, Is.EqualTo(1000));
    }
}
