using System.Collections.Concurrent;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Health;

/// <summary>The last probe of each provider, for ListProviders.</summary>
public sealed class ProbeStatus
{
    private readonly ConcurrentDictionary<string, (ProbeResult Result, DateTimeOffset At)> _last = new(StringComparer.OrdinalIgnoreCase);

    public void Set(string provider, ProbeResult result, DateTimeOffset at) => _last[provider] = (result, at);

    public (ProbeResult Result, DateTimeOffset At)? Get(string provider) => _last.TryGetValue(provider, out var last) ? last : null;
}
