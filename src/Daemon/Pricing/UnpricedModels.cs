using System.Collections.Concurrent;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Pricing;

/// <summary>Logs each model that answered without a configured price, once per process: never silently $0.</summary>
public sealed class UnpricedModels(ILogger<UnpricedModels> logger)
{
    private readonly ConcurrentDictionary<TargetRef, byte> _seen = new();

    public void Report(TargetRef target)
    {
        if (_seen.TryAdd(target, 0))
        {
            Log.Unpriced(logger, target.ToString());
        }
    }

    public bool WasReported(TargetRef target) => _seen.ContainsKey(target);
}
