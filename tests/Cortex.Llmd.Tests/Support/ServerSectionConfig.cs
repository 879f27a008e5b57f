using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Tests.Support;

/// <summary>Loads a minimal config around a given "server" section, as the daemon would.</summary>
public static class ServerSectionConfig
{
    public static DaemonOptions Load(string server, IDictionary? environment = null)
    {
        string directory = TempDirectory.Create();
        try
        {
            string path = Path.Combine(directory, "c.json");
            File.WriteAllText(path, $$"""
                { "server": {{server}}, "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }
                """);
            return DaemonConfig.Load(path, environment ?? new Hashtable(), null, ProviderFactoryRegistry.CreateDefault());
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }
}
