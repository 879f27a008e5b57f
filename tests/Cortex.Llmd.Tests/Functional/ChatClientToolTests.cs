using System.Text.Json;
using Cortex.Llm.Client.AI;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Microsoft.Extensions.AI;

namespace Cortex.Llmd.Tests.Functional;

/// <summary>
/// The client library's IChatClient in Microsoft.Extensions.AI's tool loop (UseFunctionInvocation), against
/// a running daemon whose provider is an OpenAI-compatible fake: the model asks for a real C# function, the
/// pipeline runs it and sends the result back through the daemon, and the model's next answer uses it.
/// </summary>
public class ChatClientToolTests
{
    private const string CallId = "call_weather_1";
    private const string ToolName = "get_weather";
    private const string ToolResult = "17 celsius and sunny";

    /// <summary>What the fake model says once it has seen the tool's result.</summary>
    private const string FinalAnswer = "In Oslo it is " + ToolResult + " right now.";

    private static string Config(Uri baseUrl) => $$"""
        {
          "logging": { "level": "warning" },
          "providers": {
            "fake": { "kind": "openai", "baseUrl": "{{baseUrl.ToString().TrimEnd('/')}}", "requireKey": false, "defaultModel": "m1", "retries": 0 }
          },
          "routes": { "tools": { "targets": ["fake/m1"] } },
          "tasks": { "default": "tools" },
          "health": { "probes": { "enabled": false } }
        }
        """;

    [Test]
    public async Task GetResponseAsync_ProviderCallsATool_RunsTheFunctionAndAnswersWithItsResult()
    {
        await using FakeOpenAiServer model = await FakeOpenAiServer.StartNewAsync();
        model.ToolCalls.Add(new FakeToolCall(CallId, ToolName, """{"city":"Oslo","unit":"celsius"}"""));
        model.Text = FinalAnswer;
        // The first answer is the tool call alone; the second, once the result is in, is the text alone.
        model.Enqueue(new ProviderFault { ReplaceText = string.Empty }, new ProviderFault { WithoutToolCalls = true });
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config(model.BaseUrl));
        var invocations = new List<(string City, string Unit)>();
        AIFunction weather = AIFunctionFactory.Create(
            (string city, string unit) =>
            {
                invocations.Add((city, unit));
                return ToolResult;
            },
            ToolName,
            "The current weather in a city.");
        using IChatClient chat = new CortexChatClient(daemon.SocketPath).AsBuilder().UseFunctionInvocation().Build();

        ChatResponse response = await chat.GetResponseAsync(
            "What is the weather in Oslo?",
            new ChatOptions { Tools = [weather], AdditionalProperties = new() { [CortexChatOptions.Route] = "tools" } });

        RecordedRequest[] requests = [.. model.Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))];
        Assert.Multiple(() =>
        {
            Assert.That(invocations, Is.EqualTo(new[] { ("Oslo", "celsius") }), "the function ran once, with the arguments the model sent");
            Assert.That(response.Messages[^1].Text, Is.EqualTo(FinalAnswer));
            Assert.That(response.Text, Does.Contain(FinalAnswer));
            Assert.That(requests, Has.Length.EqualTo(2), "one request for the call, one with its result");
        });
        Assert.That(ToolNames(requests[0]), Is.EqualTo(new[] { ToolName }), "the function was offered to the model");
        JsonElement[] messages = [.. requests[1].Json.GetProperty("messages").EnumerateArray()];
        JsonElement asked = messages[^2];
        JsonElement result = messages[^1];
        Assert.Multiple(() =>
        {
            Assert.That(asked.GetProperty("role").GetString(), Is.EqualTo("assistant"));
            Assert.That(asked.GetProperty("tool_calls")[0].GetProperty("id").GetString(), Is.EqualTo(CallId));
            Assert.That(asked.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo(ToolName));
            Assert.That(result.GetProperty("role").GetString(), Is.EqualTo("tool"));
            Assert.That(result.GetProperty("tool_call_id").GetString(), Is.EqualTo(CallId));
            Assert.That(result.GetProperty("content").GetString(), Does.Contain(ToolResult));
        });
    }

    private static string?[] ToolNames(RecordedRequest request) =>
        [.. request.Json.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString())];
}
