using Cortex.Llm.V1;
using Cortex.Llmd.Events;

namespace Cortex.Llmd.Tests.Events;

public class EventHubTests
{
    private static Event Finished(string id) => new() { RequestFinished = new RequestFinished { RequestId = id } };

    [Test]
    public async Task Publish_SlowSubscriber_DropsOldestAndReportsCount()
    {
        var hub = new EventHub(TimeProvider.System);
        using EventSubscription slow = hub.Subscribe([], capacity: 4);

        for (int i = 0; i < 10; i++)
        {
            hub.Publish(Finished("r" + i));
        }

        Event first = await slow.ReadAsync(CancellationToken.None);
        Event second = await slow.ReadAsync(CancellationToken.None);
        Assert.That(first.RequestFinished.RequestId, Is.EqualTo("r6"));
        Assert.That(first.DroppedBefore, Is.EqualTo(6));
        Assert.That(second.RequestFinished.RequestId, Is.EqualTo("r7"));
        Assert.That(second.DroppedBefore, Is.Zero);
    }

    [Test]
    public async Task Publish_KindFilter_DeliversOnlyRequestedKinds()
    {
        var hub = new EventHub(TimeProvider.System);
        using EventSubscription resets = hub.Subscribe([EventKind.StatsReset]);

        hub.Publish(Finished("ignored"));
        hub.Publish(new Event { StatsReset = new StatsReset { WindowStartUnixMs = 42 } });

        Event received = await resets.ReadAsync(CancellationToken.None);
        Assert.That(received.StatsReset.WindowStartUnixMs, Is.EqualTo(42));
    }

    [Test]
    public void Publish_ManyEventsWithoutReader_NeverBlocks()
    {
        var hub = new EventHub(TimeProvider.System);
        using EventSubscription never = hub.Subscribe([], capacity: 8);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        for (int i = 0; i < 100_000; i++)
        {
            hub.Publish(Finished("x"));
        }

        // Generous bound: the point is that publishing does not wait for the reader at all.
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Dispose_Subscription_StopsDelivery()
    {
        var hub = new EventHub(TimeProvider.System);
        EventSubscription subscription = hub.Subscribe([]);

        subscription.Dispose();

        Assert.That(hub.SubscriberCount, Is.Zero);
    }
}
