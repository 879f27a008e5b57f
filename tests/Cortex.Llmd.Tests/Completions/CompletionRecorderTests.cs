using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Completions;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Ledger;
using Cortex.Llmd.Tests.Support.Stats;

namespace Cortex.Llmd.Tests.Completions;

public class CompletionRecorderTests
{
    [TestCase(FrontDoors.Grpc)]
    [TestCase(FrontDoors.OpenAi)]
    public async Task RecordAsync_RecordOfADoor_CountsItThereAndAnnouncesTheDoor(string door)
    {
        var stats = new InMemoryStatsStore(TimeProvider.System);
        var hub = new EventHub(TimeProvider.System);
        using EventSubscription events = hub.Subscribe([EventKind.RequestFinished]);
        using var metrics = new Cortex.Llmd.Telemetry.GenAiMetrics();
        var recorder = new CompletionRecorder(stats, hub, metrics);

        await recorder.RecordAsync(LedgerTestData.Row(1, DateTimeOffset.UtcNow) with { Door = door });

        Event finished = await events.ReadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.That(finished.RequestFinished.RequestId, Is.EqualTo("req_00001"));
        Assert.That(finished.RequestFinished.Door, Is.EqualTo(door));
        GetStatsResponse byDoor = stats.Query(new GetStatsRequest { GroupBy = GroupBy.Door }, 0);
        Assert.That(byDoor.Groups.Select(g => (g.Key, g.Requests)), Is.EqualTo(new[] { (door, 1UL) }));
    }
}
