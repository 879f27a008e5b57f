using Cortex.Llmd.Events;
using Cortex.Llmd.Health;
using Cortex.Llmd.Model;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Health;

/// <summary>Rate-limit memory on a controlled clock: how long, extended or not, capped, and restored.</summary>
public class CooldownRegistryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TargetRef Target = new("openai", "gpt");

    private static CooldownRegistry Registry(ManualTimeProvider time, ICooldownStore store, TimeSpan? max = null) =>
        new(new HealthOptions { MaxCooldown = max ?? HealthOptions.DefaultMaxCooldown }, time, new EventHub(time), store, NullLogger<CooldownRegistry>.Instance);

    [Test]
    public async Task Start_RetryAfter_ActiveUntilThenAndGoneAfter()
    {
        var time = new ManualTimeProvider(Start);
        await using CooldownRegistry registry = Registry(time, new InMemoryCooldownStore());

        registry.Start(Target, TimeSpan.FromSeconds(120), "Retry-After 120s");

        Assert.That(registry.Active(Target)?.Describe(), Is.EqualTo("rate limited until 12:02:00Z (Retry-After 120s)"));
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.That(registry.Active(Target), Is.Not.Null);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(registry.Active(Target), Is.Null);
    }

    [Test]
    public async Task Start_ShorterWaitDuringALongerOne_DoesNotShortenIt()
    {
        var time = new ManualTimeProvider(Start);
        await using CooldownRegistry registry = Registry(time, new InMemoryCooldownStore());

        registry.Start(Target, TimeSpan.FromSeconds(120), "Retry-After 120s");
        registry.Start(Target, TimeSpan.FromSeconds(5), "Retry-After 5s");
        registry.Start(new TargetRef("openai", "other"), TimeSpan.FromSeconds(5), "Retry-After 5s");

        Assert.That(registry.Active(Target)?.Until, Is.EqualTo(Start.AddSeconds(120)));
        registry.Start(Target, TimeSpan.FromSeconds(300), "Retry-After 300s");
        Assert.That(registry.Active(Target)?.Until, Is.EqualTo(Start.AddSeconds(300)), "a longer wait extends it");
    }

    [TestCase(0)]
    [TestCase(30)]
    public async Task Start_WaitBeyondTheCap_IsCappedOrOff(int capSeconds)
    {
        var time = new ManualTimeProvider(Start);
        await using CooldownRegistry registry = Registry(time, new InMemoryCooldownStore(), TimeSpan.FromSeconds(capSeconds));

        registry.Start(Target, TimeSpan.FromHours(5), "Retry-After 18000s");

        Assert.That(registry.Active(Target)?.Until, Is.EqualTo(capSeconds == 0 ? (DateTimeOffset?)null : Start.AddSeconds(capSeconds)));
    }

    [Test]
    public async Task Restore_StoredCooldowns_KeepsOnlyThoseStillRunning()
    {
        var time = new ManualTimeProvider(Start);
        var store = new InMemoryCooldownStore();
        store.Save(Target, new RateLimitCooldown(Start.AddMinutes(-1), Start.AddMinutes(1), "Retry-After 120s"));
        store.Save(new TargetRef("openai", "over"), new RateLimitCooldown(Start.AddMinutes(-5), Start.AddSeconds(-1), "Retry-After 240s"));
        await using CooldownRegistry registry = Registry(time, store);

        Assert.That(registry.Restore(), Is.EqualTo(1));
        Assert.That(registry.Active(Target)?.Until, Is.EqualTo(Start.AddMinutes(1)));
        Assert.That(registry.Active(new TargetRef("openai", "over")), Is.Null);
    }
}
