using System.Collections;
using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Mock;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Configuration;

public class ConfigParserTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private DaemonOptions Load(string json, IDictionary? environment = null, string? socket = null)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, json);
        return DaemonConfig.Load(path, environment ?? new Hashtable(), socket, ProviderFactoryRegistry.CreateDefault());
    }

    private const string Minimal = """
        { "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }
        """;

    [Test]
    public void Load_MinimalConfig_AppliesDefaults()
    {
        DaemonOptions options = Load(Minimal);

        Assert.That(options.Server.SocketPath, Is.Null);
        Assert.That(options.Server.SocketMode, Is.EqualTo((UnixFileMode)0b110_110_000));
        Assert.That(options.Server.SocketGroup, Is.EqualTo("cortex"));
        Assert.That(options.Server.MaxReceiveMessageBytes, Is.EqualTo(4 * 1024 * 1024));
        Assert.That(options.Tasks.RouteFor(TaskType.CodeGeneration), Is.EqualTo("r"));
    }

    [Test]
    public void Load_BundledOfflineConfig_MapsTasksAsDocumented()
    {
        string path = TestDaemon.OfflineConfigPath;
        DaemonOptions options = DaemonConfig.Load(path, new Hashtable(), null, ProviderFactoryRegistry.CreateDefault());

        Assert.That(options.Routes.Keys, Is.SupersetOf(new[] { "local", "fast", "economy", "balanced", "quality", "claude", "kimi" }));
        Assert.That(options.Providers.Values.Select(p => p.Kind), Is.All.EqualTo("mock"));
        Assert.That(options.Tasks.RouteFor(TaskType.UserChat), Is.EqualTo("claude"));
        Assert.That(options.Tasks.RouteFor(TaskType.RequirementParsing), Is.EqualTo("claude"));
        Assert.That(options.Tasks.RouteFor(TaskType.SystemOperation), Is.EqualTo("kimi"));
        Assert.That(options.Tasks.RouteFor(TaskType.ToolExecution), Is.EqualTo("kimi"));
        Assert.That(options.Tasks.RouteFor(TaskType.Unspecified), Is.EqualTo("balanced"));
    }

    [Test]
    public void Load_EnvironmentOverride_WinsOverFile()
    {
        var env = new Hashtable { ["CORTEX_LLMD_SERVER__MAXRECEIVEMESSAGEBYTES"] = "2048", ["CORTEX_LLMD_PROVIDERS__M__REPLY"] = "from env" };

        DaemonOptions options = Load(Minimal, env);

        Assert.That(options.Server.MaxReceiveMessageBytes, Is.EqualTo(2048));
        Assert.That(((MockSettings)options.Providers["m"].Settings).Reply, Is.EqualTo("from env"));
    }

    [Test]
    public void Load_NamedSocketVariables_AreNotTreatedAsOverrides()
    {
        var env = new Hashtable { ["CORTEX_LLMD_SOCKET"] = "/tmp/x.sock", ["CORTEX_LLMD_CONFIG"] = "/etc/x.json" };

        DaemonOptions options = Load(Minimal, env);

        Assert.That(options.Server.SocketPath, Is.Null);
    }

    [Test]
    public void Load_SocketOverride_WinsOverFileAndEnvironment()
    {
        var env = new Hashtable { ["CORTEX_LLMD_SERVER__SOCKETPATH"] = "/tmp/env.sock" };

        DaemonOptions options = Load(Minimal, env, "/tmp/flag.sock");

        Assert.That(options.Server.SocketPath, Is.EqualTo("/tmp/flag.sock"));
    }

    [TestCase("""{ "providers": {}, "routes": {} }""", "providers: at least one provider must be configured")]
    [TestCase("""{ "providers": { "m": {} }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.kind: is required")]
    [TestCase("""{ "providers": { "a/b": { "kind": "mock" } }, "routes": { "r": { "targets": ["x/y"] } } }""", "providers.a/b: a provider name must not contain '/'")]
    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": [] } } }""", "routes.r.targets: a route needs at least one target")]
    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"], "fallbacks": ["nope"] } } }""", "routes.r.fallbacks[0]: unknown route 'nope'")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "repeat": 0 } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.repeat: 0 is out of range [1, 1000000]")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "failure": "explode" } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.failure: 'explode' is not one of")]
    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": [{ "provider": "m" }] } } }""", "routes.r.targets[0].model: is required")]
    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } }, "tasks": { "gaming": "r" } }""", "tasks.gaming: unknown task type")]
    [TestCase("""{ "server": { "socketPath": "relative.sock" }, "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }""", "server.socketPath: 'relative.sock' must be an absolute path")]
    [TestCase("""{ "logging": { "level": "loud" }, "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }""", "logging.level: 'loud' is not one of")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "usage": { "inputTokens": -1 } } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.usage.inputTokens: -1 is out of range")]
    public void Load_InvalidConfig_NamesKeyPath(string json, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(json));

        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void Load_RoutingKeys_ParsesStrategyPolicyWeightAndPrice()
    {
        DaemonOptions options = Load("""
            { "providers": { "m": { "kind": "mock", "timeout": "12s", "retries": 3,
                                    "models": { "x": { "contextWindow": 4096, "tools": false, "price": { "input": "0.60", "cachedInput": "0.15", "output": "2.50" } } } } },
              "routes": { "r": { "strategy": "weighted", "targets": [{ "provider": "m", "model": "x", "weight": 5, "timeout": "2s" }, "m/y"] } } }
            """);

        RouteOptions route = options.Routes["r"];
        Assert.That(route.Strategy, Is.EqualTo("weighted"));
        Assert.That(route.Targets[0].Weight, Is.EqualTo(5));
        Assert.That(route.Targets[0].Policy.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(route.Targets[0].Policy.Retries, Is.EqualTo(3), "inherited from the provider");
        Assert.That(route.Targets[1].Policy.Timeout, Is.EqualTo(TimeSpan.FromSeconds(12)));
        ProviderOptions provider = options.Providers["m"];
        Assert.That(provider.CapabilitiesOf("x").ContextWindow, Is.EqualTo(4096));
        Assert.That(provider.CapabilitiesOf("x").Tools, Is.False);
        Assert.That(provider.PriceOf("x"), Is.EqualTo(new Cortex.Llmd.Pricing.ModelPrice(600_000_000, 150_000_000, 600_000_000, 2_500_000_000, 2_500_000_000)));
        Assert.That(provider.PriceOf("y"), Is.Null);
    }

    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "strategy": "fastest", "targets": ["m/x"] } } }""", "routes.r.strategy: 'fastest' is not one of")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "retries": 11 } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.retries: 11 is out of range [0, 10]")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "models": { "x": { "price": { "input": "3" } } } } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.models.x.price.output: is required")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "models": { "x": { "price": { "input": "cheap", "output": "1" } } } } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.models.x.price.input: 'cheap' is not a price")]
    [TestCase("""{ "providers": { "m": { "kind": "mock", "models": { "x": { "vision": true } } } }, "routes": { "r": { "targets": ["m/x"] } } }""", "providers.m.models.x.vision: unknown key")]
    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": [{ "provider": "m", "model": "x", "weight": -1 }] } } }""", "routes.r.targets[0].weight: -1 is out of range")]
    [TestCase("""{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } }, "validation": { "refusalWindow": -5 } }""", "validation.refusalWindow: -5 is out of range")]
    public void Load_InvalidRoutingKeys_NamesKeyPath(string json, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(json));

        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void Load_ModelListWithColonNames_KeepsTheFullName()
    {
        DaemonOptions options = Load("""
            { "providers": { "o": { "kind": "mock", "models": [ { "name": "qwen2.5-coder:7b", "contextWindow": 32768 } ] } },
              "routes": { "r": { "targets": ["o/qwen2.5-coder:7b"] } } }
            """);

        Assert.That(options.Providers["o"].CapabilitiesOf("qwen2.5-coder:7b").ContextWindow, Is.EqualTo(32768));
        Assert.That(options.Routes["r"].Targets[0].Ref.Model, Is.EqualTo("qwen2.5-coder:7b"));
    }

    [Test]
    public void Load_TaskTableWithoutDefault_UsesFirstRouteForUnmappedTasks()
    {
        DaemonOptions options = Load("""
            { "providers": { "m": { "kind": "mock" } },
              "routes": { "first": { "targets": ["m/a"] }, "second": { "targets": ["m/b"] } },
              "tasks": { "codeGeneration": "second" } }
            """);

        Assert.That(options.Tasks.RouteFor(TaskType.CodeGeneration), Is.EqualTo("second"));
        Assert.That(options.Tasks.RouteFor(TaskType.UserChat), Is.EqualTo("first"));
    }

    [Test]
    public void Load_TargetObjectForm_ParsesProviderAndModelWithSlash()
    {
        DaemonOptions options = Load("""
            { "providers": { "m": { "kind": "mock" } },
              "routes": { "r": { "targets": [{ "provider": "m", "model": "moonshotai/kimi-k2" }, "m/org/model"] } } }
            """);

        Assert.That(options.Routes["r"].Targets.Select(t => t.Ref), Is.EqualTo(new[] { new TargetRef("m", "moonshotai/kimi-k2"), new TargetRef("m", "org/model") }));
    }
}

public class ConfigErrorSourceTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private ConfigException LoadFails(string json, IDictionary? environment = null)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, json);
        return Assert.Throws<ConfigException>(
            () => DaemonConfig.Load(path, environment ?? new Hashtable(), null, ProviderFactoryRegistry.CreateDefault()))!;
    }

    [Test]
    public void Load_TypoInEnvironmentOverride_NamesTheVariable()
    {
        const string json = """{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }""";

        ConfigException ex = LoadFails(json, new Hashtable { ["CORTEX_LLMD_SERVER__SOCKETMOD"] = "0600" });

        Assert.That(ex.Message, Does.Contain("- CORTEX_LLMD_SERVER__SOCKETMOD (environment override of server.socketmod): unknown key").IgnoreCase);
        Assert.That(ex.Message, Does.Contain("and the environment"));
    }

    [Test]
    public void Load_TestsAotBinaryVariableInTheEnvironment_IsNotReadAsAnOverride()
    {
        // The tests and the bench pass their own environment on to the daemons they start; a tool
        // variable under the daemon's prefix would fail every one of them as an unknown key.
        const string json = """{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }""";
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, json);

        Assert.DoesNotThrow(() => DaemonConfig.Load(path, new Hashtable { [AotBinary.EnvironmentVariable] = "/usr/bin/true" }, null, ProviderFactoryRegistry.CreateDefault()));
    }

    [Test]
    public void Load_BadValueInEnvironmentOverride_NamesTheVariableNotTheFile()
    {
        const string json = """{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }""";

        ConfigException ex = LoadFails(json, new Hashtable { ["CORTEX_LLMD_SERVER__MAXCONCURRENTSTREAMS"] = "lots" });

        Assert.That(ex.Message, Does.Contain("- CORTEX_LLMD_SERVER__MAXCONCURRENTSTREAMS (environment override of server.maxConcurrentStreams): 'lots' is not a whole number").IgnoreCase);
    }

    [Test]
    public void Load_ErrorInFile_DoesNotBlameTheEnvironment()
    {
        const string json = """{ "server": { "socketMod": "0600" }, "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }""";

        ConfigException ex = LoadFails(json, new Hashtable { ["CORTEX_LLMD_LOGGING__LEVEL"] = "debug" });

        Assert.That(ex.Message, Does.Contain("- server.socketMod: unknown key"));
        Assert.That(ex.Message, Does.Not.Contain("environment"));
    }

    [Test]
    public void Load_ProviderWithUnknownKind_ReportsOnlyTheKind()
    {
        const string json = """
            { "providers": { "bad": { "kind": "nope" }, "m": { "kind": "mock" } },
              "routes": { "r": { "targets": ["bad/x", "m/x"] }, "s": { "targets": ["bad/y"] } } }
            """;

        ConfigException ex = LoadFails(json);

        Assert.That(ex.Message, Does.Contain("providers.bad.kind: unknown provider kind 'nope'"));
        Assert.That(ex.Message, Does.Not.Contain("unknown provider 'bad'"));
        Assert.That(ex.Message, Does.Contain("(1 error)"));
    }

    [Test]
    public void Load_RouteNamingUndeclaredProvider_StillReportsIt()
    {
        const string json = """{ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x", "ghost/y"] } } }""";

        ConfigException ex = LoadFails(json);

        Assert.That(ex.Message, Does.Contain("routes.r.targets[1]: unknown provider 'ghost'"));
    }
}
