using System.Globalization;

namespace Cortex.Llmd.Health;

/// <summary>
/// A target a provider told us to leave alone: a 429 with Retry-After or a rate-limit reset header.
/// Every request skips it, without a call, until <see cref="Until"/>.
/// </summary>
/// <param name="Since">When the 429 arrived.</param>
/// <param name="Until">When the target may be called again (capped by health.maxCooldown).</param>
/// <param name="Source">The header that asked for the wait, as read ("Retry-After 120s").</param>
public sealed record RateLimitCooldown(DateTimeOffset Since, DateTimeOffset Until, string Source)
{
    public bool IsActive(DateTimeOffset now) => now < Until;

    /// <summary>The reason routing and ListProviders show: "rate limited until 12:02:05Z (Retry-After 120s)".</summary>
    public string Describe() =>
        $"rate limited until {Until.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}Z ({Source})";
}

/// <summary>Where cooldowns survive restarts. Saves happen off the request path.</summary>
public interface ICooldownStore
{
    IReadOnlyDictionary<Model.TargetRef, RateLimitCooldown> LoadAll();

    void Save(Model.TargetRef target, RateLimitCooldown cooldown);
}

/// <summary>Keeps cooldowns for the life of the process only (tests).</summary>
public sealed class InMemoryCooldownStore : ICooldownStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Model.TargetRef, RateLimitCooldown> _cooldowns = new();

    public IReadOnlyDictionary<Model.TargetRef, RateLimitCooldown> LoadAll() => new Dictionary<Model.TargetRef, RateLimitCooldown>(_cooldowns);

    public void Save(Model.TargetRef target, RateLimitCooldown cooldown) => _cooldowns[target] = cooldown;
}
