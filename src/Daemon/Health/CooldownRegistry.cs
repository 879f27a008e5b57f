using System.Collections.Concurrent;
using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Health;

/// <summary>
/// Rate-limit memory: a provider's "wait N seconds" outlives the request that heard it. A target in
/// cooldown is skipped by every request, without a call, until the wait ends (at most
/// health.maxCooldown). A later, longer wait extends it; a shorter one never shortens it. Cooldowns are
/// persisted like breaker state, off the request path, and restored at start.
/// </summary>
public sealed class CooldownRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<TargetRef, RateLimitCooldown> _cooldowns = new();
    private readonly TimeSpan _max;
    private readonly TimeProvider _time;
    private readonly EventHub _events;
    private readonly ICooldownStore _store;
    private readonly ILogger _logger;
    private readonly BackgroundSaver<RateLimitCooldown> _saver;

    public CooldownRegistry(HealthOptions options, TimeProvider time, EventHub events, ICooldownStore store, ILogger<CooldownRegistry> logger)
    {
        _max = options.MaxCooldown;
        _time = time;
        _events = events;
        _store = store;
        _logger = logger;
        _saver = new BackgroundSaver<RateLimitCooldown>(store.Save, (target, ex) => Log.CooldownNotSaved(logger, target.ToString(), ex));
    }

    /// <summary>Loads the persisted cooldowns that have not ended yet; called once the store is open.</summary>
    public int Restore()
    {
        DateTimeOffset now = _time.GetUtcNow();
        int restored = 0;
        foreach ((TargetRef target, RateLimitCooldown cooldown) in _store.LoadAll())
        {
            // A stored cooldown longer than today's cap (the cap was lowered) ends at the cap.
            RateLimitCooldown capped = cooldown.Until - now > _max ? cooldown with { Until = now + _max } : cooldown;
            if (capped.IsActive(now) && _cooldowns.TryAdd(target, capped))
            {
                restored++;
            }
        }

        return restored;
    }

    /// <summary>The target's cooldown while it lasts; null when it may be called.</summary>
    public RateLimitCooldown? Active(TargetRef target) =>
        _cooldowns.TryGetValue(target, out RateLimitCooldown? cooldown) && cooldown.IsActive(_time.GetUtcNow()) ? cooldown : null;

    /// <summary>A provider asked for a wait: the target cools down until then, capped. Zero waits and a zero cap change nothing.</summary>
    public void Start(TargetRef target, TimeSpan wait, string source)
    {
        if (wait <= TimeSpan.Zero || _max <= TimeSpan.Zero)
        {
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        string capped = wait > _max ? $"{source}, capped at {Configuration.DurationText.Format(_max)}" : source;
        var next = new RateLimitCooldown(now, now + (wait > _max ? _max : wait), capped);
        RateLimitCooldown stored = _cooldowns.AddOrUpdate(target, next, (_, current) => current.IsActive(now) && current.Until >= next.Until ? current : next);
        if (!ReferenceEquals(stored, next))
        {
            return;
        }

        string reason = next.Describe();
        Log.CooldownStarted(_logger, target.ToString(), reason);
        _saver.Enqueue(target, next);
        _events.PublishStateChange(target, ProviderState.Unspecified, ProviderState.Unavailable, reason);
    }

    public ValueTask DisposeAsync() => _saver.DisposeAsync();
}
