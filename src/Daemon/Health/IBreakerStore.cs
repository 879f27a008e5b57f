using Cortex.Llmd.Model;

namespace Cortex.Llmd.Health;

/// <summary>Where breaker snapshots survive restarts. Saves happen off the request path.</summary>
public interface IBreakerStore
{
    IReadOnlyDictionary<TargetRef, BreakerSnapshot> LoadAll();

    void Save(TargetRef target, BreakerSnapshot snapshot);
}

/// <summary>Keeps snapshots for the life of the process only (tests, and until the ledger store is configured).</summary>
public sealed class InMemoryBreakerStore : IBreakerStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TargetRef, BreakerSnapshot> _snapshots = new();

    public IReadOnlyDictionary<TargetRef, BreakerSnapshot> LoadAll() => new Dictionary<TargetRef, BreakerSnapshot>(_snapshots);

    public void Save(TargetRef target, BreakerSnapshot snapshot) => _snapshots[target] = snapshot;
}
