using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Configuration;

/// <summary>server.reflection: on by default, a boolean, and named by its path when wrong.</summary>
public class ServerReflectionKeyTests
{
    private static DaemonOptions Load(string server, IDictionary? environment = null) => ServerSectionConfig.Load(server, environment);

    [Test]
    public void Load_NoReflectionKey_ServesReflection() => Assert.That(Load("{}").Server.Reflection, Is.True);

    [Test]
    public void Load_ReflectionFalse_SwitchesItOff() => Assert.That(Load("""{ "reflection": false }""").Server.Reflection, Is.False);

    [Test]
    public void Load_ReflectionFromEnvironment_Overrides() =>
        Assert.That(Load("{}", new Hashtable { ["CORTEX_LLMD_SERVER__REFLECTION"] = "false" }).Server.Reflection, Is.False);

    [Test]
    public void Load_ReflectionNotABoolean_NamesTheKey()
    {
        ConfigException? error = Assert.Throws<ConfigException>(() => Load("""{ "reflection": "sometimes" }"""));

        Assert.That(error?.Message, Does.Contain("server.reflection"));
        Assert.That(error?.Message, Does.Contain("'sometimes' is not true or false"));
    }
}
