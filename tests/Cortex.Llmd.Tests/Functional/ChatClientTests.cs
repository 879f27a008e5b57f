using System.Diagnostics;
using Cortex.Llm.Client.AI;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.AI;

namespace Cortex.Llmd.Tests.Functional;

/// <summary>
/// The client library's IChatClient against the real daemon (the built-in mock provider), through
/// Microsoft.Extensions.AI's own middleware pipeline, as a .NET component would use it.
/// </summary>
public class ChatClientTests
{
    private TestDaemon _daemon = null!;

    [OneTimeSetUp]
    public async Task Start() => _daemon = await TestDaemon.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _daemon.DisposeAsync();

    [Test]
    public async Task GetResponseAsync_ThroughOpenTelemetryPipeline_AnswersAndTracesTheCall()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "cortex-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using IChatClient chat = new CortexChatClient(_daemon.SocketPath).AsBuilder().UseOpenTelemetry(sourceName: "cortex-test").Build();

        ChatResponse response = await chat.GetResponseAsync("hi there", new ChatOptions { AdditionalProperties = new() { [CortexChatOptions.Route] = "default" } });

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Hello from mock-1: hi there"));
            Assert.That(response.ModelId, Is.EqualTo("mock/mock-1"));
            Assert.That(response.ResponseId, Is.Not.Empty);
            Assert.That(response.Usage!.OutputTokenCount, Is.GreaterThan(0));
            Assert.That(activities, Has.Count.EqualTo(1), "the pipeline's OpenTelemetry middleware traced the call");
            Assert.That(activities[0].GetTagItem("gen_ai.response.model"), Is.EqualTo("mock/mock-1"));
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_ManyChunkRoute_StreamsTheWholeAnswer()
    {
        using var chat = new CortexChatClient(_daemon.SocketPath);
        int updates = 0;
        var text = new System.Text.StringBuilder();

        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("go", new ChatOptions { AdditionalProperties = new() { [CortexChatOptions.Route] = "many" } }))
        {
            updates++;
            text.Append(update.Text);
        }

        Assert.That(text.ToString(), Is.EqualTo(string.Concat(Enumerable.Repeat("tick ", 5000))));
        Assert.That(updates, Is.GreaterThan(1), "streamed, not collected");
    }
}
