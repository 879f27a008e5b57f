using System.Globalization;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Systemd;

/// <summary>The STATUS= line systemctl status shows.</summary>
public static class ServiceStatus
{
    /// <summary>"serving on &lt;socket&gt;; N/M providers available" (available: the provider can be used at all).</summary>
    public static string Describe(string served, RuntimeModel model)
    {
        int available = 0;
        foreach (IProvider provider in model.Providers.Values)
        {
            if (provider.Describe().Unavailable is null)
            {
                available++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"serving on {served}; {available}/{model.Providers.Count} providers available");
    }
}
