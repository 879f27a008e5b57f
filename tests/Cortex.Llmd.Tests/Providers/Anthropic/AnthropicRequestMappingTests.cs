using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Anthropic;

namespace Cortex.Llmd.Tests.Providers.Anthropic;

public class AnthropicRequestMappingTests
{
    private AnthropicHarness _harness = null!;

    [SetUp]
    public async Task StartAsync() => _harness = await AnthropicHarness.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _harness.DisposeAsync();

    [Test]
    public async Task StreamAsync_AnyRequest_PostsStreamedMessagesWithKeyAndVersionHeaders()
    {
        await _harness.CollectAsync("hi");

        var sent = _harness.Server.Requests.Single();
        Assert.That(sent.Method, Is.EqualTo("POST"));
        Assert.That(sent.Path, Is.EqualTo("/v1/messages"));
        Assert.That(sent.Header("x-api-key"), Is.EqualTo(AnthropicHarness.Key));
        Assert.That(sent.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
        Assert.That(sent.Header("content-type"), Is.EqualTo("application/json"));
        Assert.That(sent.Header("authorization"), Is.Null, "Anthropic takes the key in x-api-key only");
        AnthropicHarness.AssertJsonEqual(sent.Json, """
            { "model": "claude-test-1", "max_tokens": 4096, "stream": true,
              "messages": [ { "role": "user", "content": [ { "type": "text", "text": "hi" } ] } ] }
            """);
    }

    [Test]
    public async Task StreamAsync_ConfiguredVersionAndDefaultMaxTokens_AreSent()
    {
        await using AnthropicHarness harness = await AnthropicHarness.StartAsync(s => s with { ApiVersion = "2099-01-01", DefaultMaxTokens = 1000 });

        await harness.CollectAsync("hi");

        Assert.That(harness.Server.Requests.Single().Header("anthropic-version"), Is.EqualTo("2099-01-01"));
        Assert.That(harness.SentJson.GetProperty("max_tokens").GetInt32(), Is.EqualTo(1000));
    }

    [Test]
    public async Task StreamAsync_RequestMaxTokens_WinsOverDefault()
    {
        CompleteRequest request = AnthropicHarness.Ask("hi");
        request.MaxTokens = 77;

        await _harness.CollectAsync(request);

        Assert.That(_harness.SentJson.GetProperty("max_tokens").GetInt32(), Is.EqualTo(77));
    }

    [TestCase(0.3, 0.3)]
    [TestCase(0.0, 0.0)]
    [TestCase(1.7, 1.0)]
    public async Task StreamAsync_Temperature_IsSentWithinAnthropicRange(double requested, double sent)
    {
        CompleteRequest request = AnthropicHarness.Ask("hi");
        request.Temperature = requested;

        await _harness.CollectAsync(request);

        Assert.That(_harness.SentJson.GetProperty("temperature").GetDouble(), Is.EqualTo(sent));
    }

    [Test]
    public async Task StreamAsync_NoTemperature_OmitsIt()
    {
        await _harness.CollectAsync("hi");

        Assert.That(_harness.SentJson.TryGetProperty("temperature", out _), Is.False);
    }

    [Test]
    public async Task StreamAsync_SystemMessages_AreLiftedOutAndJoinedInOrder()
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.System, Content = "Be brief." },
                new Message { Role = Role.User, Content = "one" },
                new Message { Role = Role.System, Content = "Answer in French." },
                new Message { Role = Role.Assistant, Content = "un" },
                new Message { Role = Role.User, Content = "two" },
            },
        };

        await _harness.CollectAsync(request);

        AnthropicHarness.AssertJsonEqual(_harness.SentJson, """
            { "model": "claude-test-1", "max_tokens": 4096, "stream": true,
              "system": "Be brief.\n\nAnswer in French.",
              "messages": [
                { "role": "user", "content": [ { "type": "text", "text": "one" } ] },
                { "role": "assistant", "content": [ { "type": "text", "text": "un" } ] },
                { "role": "user", "content": [ { "type": "text", "text": "two" } ] } ] }
            """);
    }

    [Test]
    public async Task StreamAsync_ConsecutiveSameRoleMessages_AreMergedSoRolesAlternate()
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.User, Content = "a" },
                new Message { Role = Role.User, Content = "b" },
                new Message { Role = Role.Assistant, Content = "c" },
                new Message { Role = Role.Assistant, Content = string.Empty },
                new Message { Role = Role.Assistant, Content = "d" },
                new Message { Role = Role.User, Content = "e" },
            },
        };

        await _harness.CollectAsync(request);

        AnthropicHarness.AssertJsonEqual(_harness.SentJson.GetProperty("messages"), """
            [ { "role": "user", "content": [ { "type": "text", "text": "a" }, { "type": "text", "text": "b" } ] },
              { "role": "assistant", "content": [ { "type": "text", "text": "c" }, { "type": "text", "text": "d" } ] },
              { "role": "user", "content": [ { "type": "text", "text": "e" } ] } ]
            """);
    }

    [Test]
    public async Task StreamAsync_OnlySystemMessages_ThrowsBadRequestWithoutCallingAnthropic()
    {
        var request = new CompleteRequest { Messages = { new Message { Role = Role.System, Content = "alone" } } };

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync(request));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.BadRequest));
        Assert.That(_harness.Server.Requests, Is.Empty);
    }

    [Test]
    public async Task StreamAsync_ResponseJsonSchema_AsksForJsonInTheSystemPrompt()
    {
        const string schema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";
        CompleteRequest request = AnthropicHarness.Ask("where?");
        request.Messages.Insert(0, new Message { Role = Role.System, Content = "You are a guide." });
        request.ResponseJsonSchema = schema;

        await _harness.CollectAsync(request);

        string system = _harness.SentJson.GetProperty("system").GetString()!;
        Assert.That(system, Does.StartWith("You are a guide.\n\n"));
        Assert.That(system, Does.Contain("JSON Schema"));
        Assert.That(system, Does.EndWith(schema));
        Assert.That(_harness.SentJson.TryGetProperty("response_format", out _), Is.False, "Anthropic has no response_format");
    }

    [Test]
    public async Task StreamAsync_Tools_AreSentWithInputSchemas()
    {
        CompleteRequest request = AnthropicHarness.Ask("weather?");
        request.Tools.Add(new Tool
        {
            Name = "get_weather",
            Description = "Current weather",
            ParametersJsonSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""",
        });
        request.Tools.Add(new Tool { Name = "now" });

        await _harness.CollectAsync(request);

        AnthropicHarness.AssertJsonEqual(_harness.SentJson.GetProperty("tools"), """
            [ { "name": "get_weather", "description": "Current weather",
                "input_schema": { "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"] } },
              { "name": "now", "input_schema": { "type": "object", "properties": {} } } ]
            """);
        Assert.That(_harness.SentJson.TryGetProperty("tool_choice", out _), Is.False, "unspecified choice is Anthropic's default (auto)");
    }

    [TestCase(ToolChoiceMode.Auto, "", """{"type":"auto"}""")]
    [TestCase(ToolChoiceMode.Required, "", """{"type":"any"}""")]
    [TestCase(ToolChoiceMode.None, "", """{"type":"none"}""")]
    [TestCase(ToolChoiceMode.Unspecified, "lookup", """{"type":"tool","name":"lookup"}""")]
    [TestCase(ToolChoiceMode.None, "lookup", """{"type":"tool","name":"lookup"}""")]
    public async Task StreamAsync_ToolChoice_MapsToAnthropicForm(ToolChoiceMode mode, string name, string expected)
    {
        CompleteRequest request = AnthropicHarness.Ask("x");
        request.Tools.Add(new Tool { Name = "lookup" });
        request.ToolChoice = new ToolChoice { Mode = mode, ToolName = name };

        await _harness.CollectAsync(request);

        AnthropicHarness.AssertJsonEqual(_harness.SentJson.GetProperty("tool_choice"), expected);
    }

    [Test]
    public async Task StreamAsync_ToolChoiceWithoutTools_SendsNeither()
    {
        CompleteRequest request = AnthropicHarness.Ask("x");
        request.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Required };

        await _harness.CollectAsync(request);

        Assert.That(_harness.SentJson.TryGetProperty("tools", out _), Is.False);
        Assert.That(_harness.SentJson.TryGetProperty("tool_choice", out _), Is.False);
    }

    [TestCase("{\"city\": ")]
    [TestCase("[1, 2]")]
    public async Task StreamAsync_ToolCallArgumentsNotAJsonObject_ThrowsBadRequestBeforeAnyHttpCall(string arguments)
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.User, Content = "x" },
                new Message { Role = Role.Assistant, ToolCalls = { new ToolCall { Id = "call_1", Name = "f", ArgumentsJson = arguments } } },
                new Message { Role = Role.Tool, ToolCallId = "call_1", Content = "r" },
            },
        };

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync(request));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.BadRequest));
        Assert.That(ex.Message, Does.Contain("call_1"));
        Assert.That(_harness.Server.Requests, Is.Empty);
    }

    [Test]
    public async Task StreamAsync_ToolSchemaNotJson_ThrowsBadRequestBeforeAnyHttpCall()
    {
        CompleteRequest request = AnthropicHarness.Ask("x");
        request.Tools.Add(new Tool { Name = "broken", ParametersJsonSchema = "{type: object}" });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync(request));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.BadRequest));
        Assert.That(ex.Message, Does.Contain("broken"));
        Assert.That(_harness.Server.Requests, Is.Empty);
    }

    [Test]
    public async Task StreamAsync_ToolMessageWithoutCallId_ThrowsBadRequest()
    {
        CompleteRequest request = AnthropicHarness.Ask("x");
        request.Messages.Add(new Message { Role = Role.Tool, Content = "orphan" });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync(request));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.BadRequest));
        Assert.That(_harness.Server.Requests, Is.Empty);
    }

    [Test]
    public async Task StreamAsync_NonAsciiText_IsSentAsUtf8()
    {
        await _harness.CollectAsync("Grüße, 世界 <b>&</b>");

        string body = _harness.Server.Requests.Single().Body;
        Assert.That(body, Does.Contain("Grüße, 世界 <b>&</b>"));
        Assert.That(_harness.SentJson.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("text").GetString(), Is.EqualTo("Grüße, 世界 <b>&</b>"));
    }

    [Test]
    public async Task StreamAsync_BaseUrlWithPath_PostsUnderThatPath()
    {
        await using AnthropicHarness harness = await AnthropicHarness.StartAsync(s => s with { BaseUrl = new Uri(s.BaseUrl, "proxy/anthropic") });

        await harness.CollectAsync("hi");

        Assert.That(harness.Server.Requests.Single().Path, Is.EqualTo("/proxy/anthropic/v1/messages"));
    }
}
