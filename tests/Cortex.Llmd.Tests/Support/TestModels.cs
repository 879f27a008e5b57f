using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Tests.Support;

/// <summary>Builds a runtime model from config text, the same way the daemon does at start.</summary>
public static class TestModels
{
    public static RuntimeModel FromJson(string json, TimeProvider? time = null)
    {
        string dir = TempDirectory.Create();
        try
        {
            string path = Path.Combine(dir, "c.json");
            File.WriteAllText(path, json);
            ProviderFactoryRegistry factories = ProviderFactoryRegistry.CreateDefault();
            DaemonOptions options = DaemonConfig.Load(path, new Hashtable(), null, factories);
            return RuntimeModel.Build(options, factories, new ProviderContext(time ?? TimeProvider.System, new Hashtable()));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }
}
