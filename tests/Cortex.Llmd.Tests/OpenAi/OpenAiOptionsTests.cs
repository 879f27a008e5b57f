using System.Collections;
using System.Net;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.OpenAi;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>The "openai" section: off by default, its keys and overrides, and every error reported at once.</summary>
public class OpenAiOptionsTests
{
    private static DaemonOptions Load(string openai, IDictionary? environment = null)
    {
        string directory = TempDirectory.Create();
        try
        {
            string path = Path.Combine(directory, "c.json");
            File.WriteAllText(path, $$"""
                { "server": { "socketPath": "/run/x/llmd.sock" }, "openai": {{openai}},
                  "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } }
                """);
            return DaemonConfig.Load(path, environment ?? new Hashtable(), null, ProviderFactoryRegistry.CreateDefault());
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Test]
    public void Load_EmptySection_DoorOffWithDefaults()
    {
        OpenAiOptions door = Load("{}").OpenAi;

        Assert.That(door.Enabled, Is.False);
        Assert.That(door.Http2, Is.False);
        Assert.That(door.AllowUnidentified, Is.False);
        Assert.That(door.MaxRequestBytes, Is.EqualTo(4 * 1024 * 1024));
        Assert.That(door.RequestTimeout, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void Load_EveryKey_ReadsEach()
    {
        OpenAiOptions door = Load("""
            { "socketPath": "/run/cortex/llmd-openai.sock", "tcpAddress": "[::1]:8642", "protocol": "http2",
              "allowUnidentified": true, "maxRequestBytes": 2048, "requestTimeout": "90s" }
            """).OpenAi;

        Assert.That(door.Enabled, Is.True);
        Assert.That(door.SocketPath, Is.EqualTo("/run/cortex/llmd-openai.sock"));
        Assert.That(door.TcpAddress, Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 8642)));
        Assert.That(door.Http2, Is.True);
        Assert.That(door.AllowUnidentified, Is.True);
        Assert.That(door.MaxRequestBytes, Is.EqualTo(2048));
        Assert.That(door.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public void Load_TcpAddressFromEnvironment_TurnsTheDoorOn()
    {
        OpenAiOptions door = Load("{}", new Hashtable { ["CORTEX_LLMD_OPENAI__TCPADDRESS"] = "127.0.0.1:18642" }).OpenAi;

        Assert.That(door.TcpAddress, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 18642)));
        Assert.That(door.Enabled, Is.True);
    }

    [Test]
    public void Load_NonLoopbackAddressAllowed_Accepted() =>
        Assert.That(Load("""{ "tcpAddress": "0.0.0.0:8642", "allowNonLoopback": true }""").OpenAi.TcpAddress!.Address, Is.EqualTo(IPAddress.Any));

    [Test]
    public void Load_SeveralBadKeys_ReportsEveryErrorAtOnce()
    {
        string message = Assert.Throws<ConfigException>(() => Load("""
            { "socketPath": "relative.sock", "tcpAddress": "10.1.2.3:8642", "protocol": "http3", "maxRequestBytes": 10, "bogus": 1 }
            """))!.Message;

        Assert.That(message, Does.Contain("openai.socketPath: 'relative.sock' must be an absolute path"));
        Assert.That(message, Does.Contain("openai.tcpAddress: '10.1.2.3:8642' is not a loopback address"));
        Assert.That(message, Does.Contain("openai.protocol"));
        Assert.That(message, Does.Contain("openai.maxRequestBytes"));
        Assert.That(message, Does.Contain("openai.bogus"));
    }

    [TestCase("8642")]
    [TestCase("127.0.0.1")]
    [TestCase("127.0.0.1:0")]
    [TestCase("localhost:8642")]
    public void Load_MalformedTcpAddress_NamesTheKey(string address) =>
        Assert.That(Assert.Throws<ConfigException>(() => Load($$"""{ "tcpAddress": "{{address}}" }"""))!.Message,
            Does.Contain($"openai.tcpAddress: '{address}' is not an address and port"));

    [Test]
    public void Load_SocketPathOfTheGrpcDoor_Refused() =>
        Assert.That(Assert.Throws<ConfigException>(() => Load("""{ "socketPath": "/run/x/llmd.sock" }"""))!.Message,
            Does.Contain("each door needs its own socket"));
}
