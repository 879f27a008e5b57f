using System.Collections.Concurrent;
using System.Threading.Channels;
using Cortex.Llm.V1;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Events;

/// <summary>
/// Fans events out to WatchEvents subscribers. Each subscriber has a bounded buffer that drops its
/// oldest events when full, so a slow reader loses events (and is told how many) but never slows
/// the request that published them.
/// </summary>
public sealed class EventHub(TimeProvider timeProvider)
{
    public const int SubscriberCapacity = 1024;

    private readonly ConcurrentDictionary<EventSubscription, byte> _subscribers = new();

    public int SubscriberCount => _subscribers.Count;

    /// <param name="kinds">The kinds wanted; none means all.</param>
    /// <param name="capacity">Events buffered before the oldest is dropped.</param>
    /// <param name="visible">What this subscriber may see; events it may not are never buffered, so they cannot cause drops.</param>
    public EventSubscription Subscribe(IEnumerable<EventKind> kinds, int capacity = SubscriberCapacity, Func<Event, bool>? visible = null)
    {
        var subscription = new EventSubscription(this, kinds, capacity, visible);
        _subscribers.TryAdd(subscription, 0);
        return subscription;
    }

    internal void Remove(EventSubscription subscription) => _subscribers.TryRemove(subscription, out _);

    public void Publish(Event evt)
    {
        if (_subscribers.IsEmpty)
        {
            return;
        }

        evt.TimeUnixMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        EventKind kind = KindOf(evt);
        foreach (EventSubscription subscriber in _subscribers.Keys)
        {
            subscriber.Offer(kind, evt);
        }
    }

    public void PublishStateChange(TargetRef target, ProviderState previous, ProviderState current, string reason) =>
        Publish(new Event
        {
            ProviderStateChanged = new ProviderStateChanged
            {
                Provider = target.Provider,
                Model = target.Model,
                Previous = previous,
                Current = current,
                Reason = reason,
            },
        });

    private static EventKind KindOf(Event evt) => evt.KindCase switch
    {
        Event.KindOneofCase.RequestFinished => EventKind.RequestFinished,
        Event.KindOneofCase.ProviderStateChanged => EventKind.ProviderStateChanged,
        Event.KindOneofCase.StatsReset => EventKind.StatsReset,
        Event.KindOneofCase.ConfigReloaded => EventKind.ConfigReloaded,
        Event.KindOneofCase.ProbeFailed => EventKind.ProbeFailed,
        Event.KindOneofCase.BudgetThreshold => EventKind.BudgetThreshold,
        _ => EventKind.Unspecified,
    };
}

public sealed class EventSubscription : IDisposable
{
    private readonly EventHub _hub;
    private readonly HashSet<EventKind> _kinds;
    private readonly Channel<Event> _channel;
    private readonly Func<Event, bool>? _visible;
    private long _dropped;

    internal EventSubscription(EventHub hub, IEnumerable<EventKind> kinds, int capacity, Func<Event, bool>? visible)
    {
        _hub = hub;
        _visible = visible;
        _kinds = [.. kinds.Where(k => k != EventKind.Unspecified)];
        _channel = Channel.CreateBounded<Event>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    internal void Offer(EventKind kind, Event evt)
    {
        if ((_kinds.Count == 0 || _kinds.Contains(kind)) && (_visible is null || _visible(evt)))
        {
            _channel.Writer.TryWrite(evt);
        }
    }

    /// <summary>Reads the next event; its dropped_before says how many were lost since the last one read.</summary>
    public async ValueTask<Event> ReadAsync(CancellationToken cancellationToken)
    {
        Event evt = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        long dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped == 0)
        {
            return evt;
        }

        // Events are shared between subscribers: annotate a copy, not the original.
        Event copy = evt.Clone();
        copy.DroppedBefore = (ulong)dropped;
        return copy;
    }

    public void Dispose()
    {
        _hub.Remove(this);
        _channel.Writer.TryComplete();
    }
}
