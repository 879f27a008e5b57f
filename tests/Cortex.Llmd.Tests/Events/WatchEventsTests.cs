using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Events;

/// <summary>WatchEvents through the socket: events arrive, and a subscriber that stops reading slows nobody.</summary>
public class WatchEventsTests
{
    [Test]
    public async Task WatchEvents_SlowSubscriber_RequestsStillCompleteAndLossIsReported()
    {
        await using TestDaemon daemon = await TestDaemon.StartAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);
        var ask = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "event" } } };
        await using IAsyncEnumerator<Event> events = client.WatchEventsAsync(new WatchEventsRequest { Kinds = { EventKind.RequestFinished } }).GetAsyncEnumerator();

        // The subscription exists once the call reached the daemon: complete until its first event arrives.
        Task<bool> first = events.MoveNextAsync().AsTask();
        for (int i = 0; i < 100 && !first.IsCompleted; i++)
        {
            await client.CompleteAsync(ask);
            await Task.WhenAny(first, Task.Delay(50));
        }

        Assert.That(await first, Is.True);
        Assert.That(events.Current.RequestFinished.Status, Is.EqualTo("OK"));

        // Nobody reads the stream now: the daemon's per-subscriber buffer must drop, not block.
        var burst = System.Diagnostics.Stopwatch.StartNew();
        int remaining = 2500;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await client.CompleteAsync(ask);
            }
        }));
        burst.Stop();

        ulong dropped = 0;
        int read = 0;
        while (dropped == 0 && read < 2500 && await events.MoveNextAsync())
        {
            dropped += events.Current.DroppedBefore;
            read++;
        }

        Assert.That(dropped, Is.GreaterThan(0), "a reader that fell behind is told how many events it lost");
        Assert.That(burst.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
    }
}
