using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Providers.Anthropic;

/// <summary>
/// Acceptance: tool calls round-trip through Anthropic in both directions, streamed. Our OpenAI-form
/// calls and results go out as tool_use / tool_result blocks, and Anthropic's streamed tool_use blocks
/// come back as OpenAI-form calls with stable indexes.
/// </summary>
public class AnthropicToolRoundTripTests
{
    private const string WeatherSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    private static readonly FakeAnthropicAnswer TwoCalls = new()
    {
        Blocks =
        [
            new FakeTextBlock("Let me check both."),
            new FakeToolUseBlock("toolu_01A", "get_weather", """{"city": "Paris", "unit": "celsius"}"""),
            new FakeToolUseBlock("toolu_01B", "get_time", """{"zone": "Europe/Paris"}"""),
        ],
        StopReason = "tool_use",
        PieceLength = 5,
    };

    private AnthropicHarness _harness = null!;

    [SetUp]
    public async Task StartAsync() => _harness = await AnthropicHarness.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _harness.DisposeAsync();

    [Test]
    public async Task StreamAsync_ConversationWithToolCallAndResults_SendsToolUseAndToolResultBlocks()
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.System, Content = "Use tools." },
                new Message { Role = Role.User, Content = "Weather and time in Paris?" },
                new Message
                {
                    Role = Role.Assistant,
                    Content = "Checking.",
                    ToolCalls =
                    {
                        new ToolCall { Id = "toolu_01A", Name = "get_weather", ArgumentsJson = """{"city":"Paris"}""" },
                        new ToolCall { Id = "toolu_01B", Name = "get_time", ArgumentsJson = string.Empty },
                    },
                },
                new Message { Role = Role.Tool, ToolCallId = "toolu_01A", Name = "get_weather", Content = "18°C, cloudy" },
                new Message { Role = Role.Tool, ToolCallId = "toolu_01B", Name = "get_time", Content = "14:05" },
                new Message { Role = Role.User, Content = "Summarise." },
            },
            Tools = { new Tool { Name = "get_weather", Description = "Weather now", ParametersJsonSchema = WeatherSchema }, new Tool { Name = "get_time" } },
            ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Auto },
        };

        await _harness.CollectAsync(request);

        AnthropicHarness.AssertJsonEqual(_harness.SentJson, """
            {
              "model": "claude-test-1", "max_tokens": 4096, "stream": true,
              "system": "Use tools.",
              "messages": [
                { "role": "user", "content": [ { "type": "text", "text": "Weather and time in Paris?" } ] },
                { "role": "assistant", "content": [
                    { "type": "text", "text": "Checking." },
                    { "type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": { "city": "Paris" } },
                    { "type": "tool_use", "id": "toolu_01B", "name": "get_time", "input": {} } ] },
                { "role": "user", "content": [
                    { "type": "tool_result", "tool_use_id": "toolu_01A", "content": "18°C, cloudy" },
                    { "type": "tool_result", "tool_use_id": "toolu_01B", "content": "14:05" },
                    { "type": "text", "text": "Summarise." } ] }
              ],
              "tools": [
                { "name": "get_weather", "description": "Weather now",
                  "input_schema": { "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"] } },
                { "name": "get_time", "input_schema": { "type": "object", "properties": {} } }
              ],
              "tool_choice": { "type": "auto" }
            }
            """);
    }

    [Test]
    public async Task StreamAsync_AssistantToolCallWithoutText_SendsOnlyToolUseBlock()
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.User, Content = "Weather?" },
                new Message { Role = Role.Assistant, ToolCalls = { new ToolCall { Id = "toolu_9", Name = "get_weather", ArgumentsJson = """{"city":"Oslo"}""" } } },
                new Message { Role = Role.Tool, ToolCallId = "toolu_9", Content = "-3°C" },
            },
        };

        await _harness.CollectAsync(request);

        AnthropicHarness.AssertJsonEqual(_harness.SentJson.GetProperty("messages"), """
            [ { "role": "user", "content": [ { "type": "text", "text": "Weather?" } ] },
              { "role": "assistant", "content": [ { "type": "tool_use", "id": "toolu_9", "name": "get_weather", "input": { "city": "Oslo" } } ] },
              { "role": "user", "content": [ { "type": "tool_result", "tool_use_id": "toolu_9", "content": "-3°C" } ] } ]
            """);
    }

    [Test]
    public async Task StreamAsync_UserTextBeforeToolResultInOneTurn_PutsToolResultFirst()
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.User, Content = "Weather?" },
                new Message { Role = Role.Assistant, ToolCalls = { new ToolCall { Id = "toolu_9", Name = "get_weather", ArgumentsJson = "{}" } } },
                new Message { Role = Role.User, Content = "Use Celsius." },
                new Message { Role = Role.Tool, ToolCallId = "toolu_9", Content = "-3" },
            },
        };

        await _harness.CollectAsync(request);

        // Anthropic rejects a user turn whose text comes before the tool_result blocks.
        AnthropicHarness.AssertJsonEqual(_harness.SentJson.GetProperty("messages")[2], """
            { "role": "user", "content": [
                { "type": "tool_result", "tool_use_id": "toolu_9", "content": "-3" },
                { "type": "text", "text": "Use Celsius." } ] }
            """);
    }

    [Test]
    public async Task StreamAsync_AnswerWithTwoToolCalls_StreamsPiecesThatReassembleAtIndexes0And1()
    {
        _harness.Server.EnqueueAnswer(TwoCalls);

        List<ProviderEvent> events = await _harness.CollectAsync("Weather and time in Paris?");

        ToolCallPiece[] pieces = events.OfType<ToolCallPiece>().ToArray();
        Assert.That(pieces.Select(p => p.Index).Distinct(), Is.EqualTo(new[] { 0, 1 }), "ordinals among tool_use blocks, not content block indexes 1 and 2");
        Assert.That(pieces.Count(p => p.Index == 0), Is.GreaterThan(3), "the arguments arrive in several pieces");
        Assert.That(pieces.Count(p => p.Index == 1), Is.GreaterThan(3));
        Assert.That(pieces.Where(p => p.Id is not null).Select(p => (p.Index, p.Id, p.Name)),
            Is.EqualTo(new[] { (0, "toolu_01A", "get_weather"), (1, "toolu_01B", "get_time") }), "id and name come once, first");
        Assert.That(string.Concat(pieces.Where(p => p.Index == 0).Select(p => p.ArgumentsDelta)), Is.EqualTo("""{"city": "Paris", "unit": "celsius"}"""));
        Assert.That(string.Concat(pieces.Where(p => p.Index == 1).Select(p => p.ArgumentsDelta)), Is.EqualTo("""{"zone": "Europe/Paris"}"""));
        Assert.That(AnthropicHarness.Text(events), Is.EqualTo("Let me check both."));
        Assert.That(((Completion)events[^1]).FinishReason, Is.EqualTo(FinishReason.ToolCalls));
    }

    [Test]
    public async Task StreamAsync_ToolCallsThroughTheEngineAndBack_RoundTripExactly()
    {
        _harness.Server.EnqueueAnswer(TwoCalls, FakeAnthropicAnswer.Text("Paris: 18°C at 14:05."));
        CompleteRequest first = AnthropicHarness.Ask("Weather and time in Paris?");
        first.Tools.Add(new Tool { Name = "get_weather", ParametersJsonSchema = WeatherSchema });
        first.Tools.Add(new Tool { Name = "get_time" });

        AttemptAnswer answer = (await AttemptRunner.RunAsync(
            _harness.Provider, new ProviderCall(first, AnthropicHarness.Model, "r1"), new GuardedSink(null, 0, false, _ => null),
            TimeProvider.System, 0, () => { }, CancellationToken.None))!;

        Assert.That(answer.ToolCalls.Select(c => (c.Id, c.Name, c.ArgumentsJson)), Is.EqualTo(new[]
        {
            ("toolu_01A", "get_weather", """{"city": "Paris", "unit": "celsius"}"""),
            ("toolu_01B", "get_time", """{"zone": "Europe/Paris"}"""),
        }));

        CompleteRequest second = first.Clone();
        second.Messages.Add(new Message { Role = Role.Assistant, Content = answer.Content, ToolCalls = { answer.ToolCalls } });
        second.Messages.Add(new Message { Role = Role.Tool, ToolCallId = "toolu_01A", Content = "18°C" });
        second.Messages.Add(new Message { Role = Role.Tool, ToolCallId = "toolu_01B", Content = "14:05" });
        List<ProviderEvent> final = await _harness.CollectAsync(second);

        AnthropicHarness.AssertJsonEqual(_harness.Server.Requests.Last().Json.GetProperty("messages"), """
            [ { "role": "user", "content": [ { "type": "text", "text": "Weather and time in Paris?" } ] },
              { "role": "assistant", "content": [
                  { "type": "text", "text": "Let me check both." },
                  { "type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": { "city": "Paris", "unit": "celsius" } },
                  { "type": "tool_use", "id": "toolu_01B", "name": "get_time", "input": { "zone": "Europe/Paris" } } ] },
              { "role": "user", "content": [
                  { "type": "tool_result", "tool_use_id": "toolu_01A", "content": "18°C" },
                  { "type": "tool_result", "tool_use_id": "toolu_01B", "content": "14:05" } ] } ]
            """);
        Assert.That(AnthropicHarness.Text(final), Is.EqualTo("Paris: 18°C at 14:05."));
    }

    [Test]
    public async Task StreamAsync_ToolCallWithNoInput_ReassemblesToEmptyObject()
    {
        _harness.Server.EnqueueAnswer(new FakeAnthropicAnswer { Blocks = [new FakeToolUseBlock("toolu_X", "now", string.Empty)], StopReason = "tool_use" });

        List<ProviderEvent> events = await _harness.CollectAsync("time?");

        ToolCallPiece[] pieces = events.OfType<ToolCallPiece>().ToArray();
        Assert.That(string.Concat(pieces.Select(p => p.ArgumentsDelta)), Is.EqualTo("{}"));
        Assert.That(pieces.All(p => p.Index == 0), Is.True);
    }

    [Test]
    public async Task StreamAsync_ThinkingBlockBeforeToolCall_IsSkippedAndDoesNotShiftIndexes()
    {
        _harness.Server.EnqueueAnswer(new FakeAnthropicAnswer
        {
            Blocks = [new FakeThinkingBlock("The user wants weather."), new FakeToolUseBlock("toolu_T", "get_weather", """{"city":"Rome"}""")],
            StopReason = "tool_use",
        });

        List<ProviderEvent> events = await _harness.CollectAsync("Rome?");

        Assert.That(events.OfType<ContentDelta>(), Is.Empty, "thinking is not answer text");
        Assert.That(events.OfType<ToolCallPiece>().Select(p => p.Index).Distinct(), Is.EqualTo(new[] { 0 }));
    }
}
