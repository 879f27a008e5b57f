using System.Collections;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Composition;

/// <summary>Loads the daemon's configuration file into <see cref="DaemonOptions"/>.</summary>
public static class DaemonConfig
{
    /// <summary>Loads and validates; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static DaemonOptions Load(string configPath, IDictionary environment, string? socketOverride, ProviderFactoryRegistry factories) =>
        ConfigLoader.Load(configPath, environment, socketOverride, new ConfigParser(factories).Parse);
}
