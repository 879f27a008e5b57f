using System.Text.Json;
using Cortex.Llm.Client.AI;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Grpc.Core;
using Microsoft.Extensions.AI;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.AI;

[TestFixture]
public sealed class CortexChatClientTests : FakeServerTestBase
{
    private static CompleteResponse Answer(string content) => new()
    {
        RequestId = "req-7",
        Content = content,
        Provider = "claude",
        Model = "sonnet",
        FinishReason = FinishReason.Stop,
        Usage = new Usage { InputTokens = 10, CachedInputTokens = 90, CacheWriteTokens = 5, OutputTokens = 20, ReasoningTokens = 4 },
        Cost = new Cost { NanoUsd = 1234, Priced = true },
    };

    [Test]
    public async Task GetResponseAsync_MessagesAndOptions_SendsThemMappedAndMapsTheAnswer()
    {
        CompleteRequest? sent = null;
        Router.OnComplete = (request, _) =>
        {
            sent = request;
            return Task.FromResult(Answer("the answer"));
        };
        using var chat = new CortexChatClient(Server.SocketPath);
        var options = new ChatOptions
        {
            Temperature = 0.5f,
            MaxOutputTokens = 64,
            AdditionalProperties = new() { [CortexChatOptions.Route] = "quality", [CortexChatOptions.Task] = "error_debugging", [CortexChatOptions.Tenant] = "shell" },
        };

        ChatResponse response = await chat.GetResponseAsync([new(ChatRole.System, "be brief"), new(ChatRole.User, "why?")], options);

        Assert.Multiple(() =>
        {
            Assert.That(sent!.Messages.Select(m => (m.Role, m.Content)), Is.EqualTo(new[] { (Role.System, "be brief"), (Role.User, "why?") }));
            Assert.That(sent.Temperature, Is.EqualTo(0.5));
            Assert.That(sent.MaxTokens, Is.EqualTo(64u));
            Assert.That((sent.Route, sent.TaskType, sent.TenantId), Is.EqualTo(("quality", TaskType.ErrorDebugging, "shell")));
            Assert.That(response.Text, Is.EqualTo("the answer"));
            Assert.That(response.ResponseId, Is.EqualTo("req-7"));
            Assert.That(response.ModelId, Is.EqualTo("claude/sonnet"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(105), "uncached + cached + cache-write input");
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(90));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(20));
            Assert.That(response.Usage.ReasoningTokenCount, Is.EqualTo(4));
            Assert.That(response.AdditionalProperties![CortexChatOptions.CostNanoUsd], Is.EqualTo(1234L));
        });
    }

    [Test]
    public async Task GetResponseAsync_ToolsSchemaAndForcedModel_SendsToolsChoiceSchemaAndTarget()
    {
        CompleteRequest? sent = null;
        Router.OnComplete = (request, _) =>
        {
            sent = request;
            return Task.FromResult(Answer("{}"));
        };
        using var chat = new CortexChatClient(Server.SocketPath);
        AIFunction weather = AIFunctionFactory.Create((string city) => "sunny in " + city, "weather", "Looks up the weather", AIJsonUtilities.DefaultOptions);
        using JsonDocument schema = JsonDocument.Parse("""{"type":"object","required":["a"]}""");
        var options = new ChatOptions
        {
            ModelId = "ollama/llama3",
            Tools = [weather],
            ToolMode = ChatToolMode.RequireSpecific("weather"),
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement.Clone()),
        };

        await chat.GetResponseAsync([new(ChatRole.User, "x")], options);

        Assert.Multiple(() =>
        {
            Assert.That((sent!.Provider, sent.Model), Is.EqualTo(("ollama", "llama3")));
            Assert.That(sent.Tools.Single().Name, Is.EqualTo("weather"));
            Assert.That(sent.Tools.Single().Description, Is.EqualTo("Looks up the weather"));
            Assert.That(JsonDocument.Parse(sent.Tools.Single().ParametersJsonSchema).RootElement.GetProperty("properties").TryGetProperty("city", out _), Is.True);
            Assert.That(sent.ToolChoice, Is.EqualTo(new ToolChoice { Mode = ToolChoiceMode.Required, ToolName = "weather" }));
            Assert.That(sent.ResponseJsonSchema, Is.EqualTo("""{"type":"object","required":["a"]}"""));
        });
    }

    [Test]
    public async Task GetResponseAsync_ToolRoundTrip_SendsCallsAndResultsAndReturnsParsedCalls()
    {
        CompleteRequest? sent = null;
        Router.OnComplete = (request, _) =>
        {
            sent = request;
            CompleteResponse answer = Answer(string.Empty);
            answer.FinishReason = FinishReason.ToolCalls;
            answer.ToolCalls.Add(new V1.ToolCall { Id = "call-2", Name = "weather", ArgumentsJson = """{"city":"Oslo","days":3}""" });
            return Task.FromResult(answer);
        };
        using var chat = new CortexChatClient(Server.SocketPath);
        ChatMessage[] history =
        [
            new(ChatRole.User, "weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-1", "weather", new Dictionary<string, object?> { ["city"] = "Bergen", ["days"] = 2, ["metric"] = true })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "rain")]),
        ];

        ChatResponse response = await chat.GetResponseAsync(history);

        FunctionCallContent call = response.Messages.Single().Contents.OfType<FunctionCallContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent!.Messages[1].ToolCalls.Single().ArgumentsJson, Is.EqualTo("""{"city":"Bergen","days":2,"metric":true}"""));
            Assert.That((sent.Messages[2].Role, sent.Messages[2].ToolCallId, sent.Messages[2].Content), Is.EqualTo((Role.Tool, "call-1", "rain")));
            Assert.That((call.CallId, call.Name), Is.EqualTo(("call-2", "weather")));
            Assert.That(((JsonElement)call.Arguments!["city"]!).GetString(), Is.EqualTo("Oslo"));
            Assert.That(((JsonElement)call.Arguments["days"]!).GetInt32(), Is.EqualTo(3));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_DeltasToolPiecesAndFinal_YieldsTextThenWholeCallsAndUsage()
    {
        Router.OnStreamComplete = async (_, stream, _) =>
        {
            await stream.WriteAsync(new CompleteChunk { ContentDelta = "Hel" });
            await stream.WriteAsync(new CompleteChunk { ContentDelta = "lo" });
            await stream.WriteAsync(new CompleteChunk { ToolCallDelta = new ToolCallDelta { Index = 0, Id = "c1", Name = "f", ArgumentsDelta = """{"a":""" } });
            await stream.WriteAsync(new CompleteChunk { ToolCallDelta = new ToolCallDelta { Index = 0, ArgumentsDelta = "1}" } });
            await stream.WriteAsync(new CompleteChunk { Final = Answer(string.Empty) });
        };
        using var chat = new CortexChatClient(Server.SocketPath);

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync([new(ChatRole.User, "hi")]))
        {
            updates.Add(update);
        }

        ChatResponse whole = updates.ToChatResponse();
        FunctionCallContent call = updates[^1].Contents.OfType<FunctionCallContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => u.Text).Take(2), Is.EqualTo(new[] { "Hel", "lo" }));
            Assert.That(((JsonElement)call.Arguments!["a"]!).GetInt32(), Is.EqualTo(1), "pieces joined into one call");
            Assert.That(whole.Text, Is.EqualTo("Hello"));
            Assert.That(whole.Usage!.OutputTokenCount, Is.EqualTo(20));
            Assert.That(whole.ResponseId, Is.EqualTo("req-7"));
        });
    }

    [Test]
    public async Task GetResponseAsync_DaemonRefuses_ThrowsTheRpcStatus()
    {
        Router.OnComplete = (_, _) => throw new RpcException(new Status(StatusCode.ResourceExhausted, "budget 'daily' exhausted"));
        using var chat = new CortexChatClient(Server.SocketPath);

        RpcException error = (await Assert.ThrowsAsync<RpcException>(() => chat.GetResponseAsync([new(ChatRole.User, "x")])))!;

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [TestCase("error_debugging", TaskType.ErrorDebugging)]
    [TestCase("CodeGeneration", TaskType.CodeGeneration)]
    [TestCase("TASK_TYPE_USER_CHAT", TaskType.UserChat)]
    public async Task GetResponseAsync_TaskNameForms_MapToTaskType(string name, TaskType expected)
    {
        CompleteRequest? sent = null;
        Router.OnComplete = (request, _) =>
        {
            sent = request;
            return Task.FromResult(Answer("ok"));
        };
        using var chat = new CortexChatClient(Server.SocketPath);

        await chat.GetResponseAsync([new(ChatRole.User, "x")], new ChatOptions { AdditionalProperties = new() { [CortexChatOptions.Task] = name } });

        Assert.That(sent!.TaskType, Is.EqualTo(expected));
    }

    [Test]
    public async Task GetResponseAsync_UnknownTaskName_ThrowsNamingIt()
    {
        using var chat = new CortexChatClient(Server.SocketPath);

        ArgumentException error = (await Assert.ThrowsAsync<ArgumentException>(
            () => chat.GetResponseAsync([new(ChatRole.User, "x")], new ChatOptions { AdditionalProperties = new() { [CortexChatOptions.Task] = "gardening" } })))!;

        Assert.That(error.Message, Does.Contain("gardening"));
    }

    [Test]
    public void GetService_KnownTypes_ReturnsMetadataClientAndSelf()
    {
        using var inner = new CortexLlmClient(Server.SocketPath);
        using var chat = new CortexChatClient(inner);

        Assert.Multiple(() =>
        {
            Assert.That(chat.GetService<ChatClientMetadata>()!.ProviderName, Is.EqualTo("cortex-llmd"));
            Assert.That(chat.GetService<CortexLlmClient>(), Is.SameAs(inner));
            Assert.That(chat.GetService<IChatClient>(), Is.SameAs(chat));
            Assert.That(chat.GetService<IChatClient>("keyed"), Is.Null);
        });
    }
}
