using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>The server section's connection keys: defaults, values, and errors named by their path.</summary>
public class ConnectionLimitKeysTests
{
    private static DaemonOptions Load(string server, IDictionary? environment = null) => ServerSectionConfig.Load(server, environment);

    private static string ErrorOf(string server) => Assert.Throws<ConfigException>(() => Load(server))!.Message;

    [Test]
    public void Load_NoConnectionKeys_UsesTheDocumentedDefaults()
    {
        var server = Load("{}").Server;

        Assert.That(server.MaxConnections, Is.EqualTo(1024));
        Assert.That(server.MaxConnectionsPerUid, Is.EqualTo(64));
        Assert.That(server.IdleTimeout, Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(server.KeepAlivePingInterval, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(server.KeepAlivePingTimeout, Is.EqualTo(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void Load_AllConnectionKeys_ReadsEach()
    {
        var server = Load("""
            { "maxConnections": 300, "maxConnectionsPerUid": 30, "idleTimeout": "45s",
              "keepAlivePingInterval": "0s", "keepAlivePingTimeout": "5s" }
            """).Server;

        Assert.That(server.MaxConnections, Is.EqualTo(300));
        Assert.That(server.MaxConnectionsPerUid, Is.EqualTo(30));
        Assert.That(server.IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(45)));
        Assert.That(server.KeepAlivePingInterval, Is.EqualTo(TimeSpan.Zero));
        Assert.That(server.KeepAlivePingTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void Load_MaxConnectionsFromEnvironment_Overrides() =>
        Assert.That(Load("{}", new Hashtable { ["CORTEX_LLMD_SERVER__MAXCONNECTIONS"] = "77" }).Server.MaxConnections, Is.EqualTo(77));

    [Test]
    public void Load_PerUidAboveTotal_NamesBothKeys() =>
        Assert.That(ErrorOf("""{ "maxConnections": 10, "maxConnectionsPerUid": 11 }"""),
            Does.Contain("server.maxConnectionsPerUid: 11 is above server.maxConnections (10)"));

    [TestCase("""{ "maxConnections": 0 }""", "server.maxConnections")]
    [TestCase("""{ "maxConnectionsPerUid": 0 }""", "server.maxConnectionsPerUid")]
    [TestCase("""{ "idleTimeout": "0s" }""", "server.idleTimeout")]
    [TestCase("""{ "idleTimeout": "soon" }""", "server.idleTimeout")]
    [TestCase("""{ "keepAlivePingInterval": "-1s" }""", "server.keepAlivePingInterval")]
    [TestCase("""{ "keepAlivePingTimeout": "0s" }""", "server.keepAlivePingTimeout")]
    public void Load_ValueOutOfRangeOrMalformed_NamesTheKey(string server, string key) =>
        Assert.That(ErrorOf(server), Does.Contain(key + ":"));

    [Test]
    public void Load_SeveralBadKeys_ReportsAllAtOnce()
    {
        string message = ErrorOf("""{ "maxConnections": -5, "idleTimeout": "later", "keepAlivePingTimeout": "2d" }""");

        Assert.That(message, Does.Contain("server.maxConnections"));
        Assert.That(message, Does.Contain("server.idleTimeout: 'later' is not a duration"));
        Assert.That(message, Does.Contain("server.keepAlivePingTimeout"));
    }
}
