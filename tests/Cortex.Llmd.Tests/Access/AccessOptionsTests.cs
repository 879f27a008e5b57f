using System.Collections;
using Cortex.Llmd.Access;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Access;

public class AccessOptionsTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private AccessOptions Load(string accessJson)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, "{ \"providers\": { \"m\": { \"kind\": \"mock\" } }, \"routes\": { \"r\": { \"targets\": [\"m/x\"] } }" + accessJson + " }");
        return DaemonConfig.Load(path, new Hashtable(), null, ProviderFactoryRegistry.CreateDefault()).Access;
    }

    [Test]
    public void Parse_NoSection_UsesDefaults()
    {
        AccessOptions options = Load(string.Empty);

        Assert.That(options.AdminGroups, Is.EqualTo(new[] { "cortex-admin" }));
        Assert.That(options.AdminGroupsConfigured, Is.False);
        Assert.That(options.AdminUids, Is.Empty);
        Assert.That(options.ShareActivity, Is.False);
        Assert.That(options.RateLimit, Is.EqualTo(new RateLimitOptions { RequestsPerSecond = 20, Burst = 40 }));
        Assert.That(options.RateLimit.TokenPeriod, Is.EqualTo(TimeSpan.FromMilliseconds(50)));
    }

    [Test]
    public void Parse_EveryKey_IsRead()
    {
        AccessOptions options = Load(""", "access": { "adminGroups": ["wheel", "ops"], "adminUids": [1000, "1001"], "shareActivity": true, "rateLimit": { "requestsPerSecond": 5, "burst": 7 } }""");

        Assert.That(options.AdminGroups, Is.EqualTo(new[] { "wheel", "ops" }));
        Assert.That(options.AdminGroupsConfigured, Is.True);
        Assert.That(options.AdminUids, Is.EqualTo(new uint[] { 1000, 1001 }));
        Assert.That(options.ShareActivity, Is.True);
        Assert.That(options.RateLimit, Is.EqualTo(new RateLimitOptions { RequestsPerSecond = 5, Burst = 7 }));
    }

    [Test]
    public void Parse_EmptyAdminGroups_MeansNoGroupRatherThanTheDefault()
    {
        AccessOptions options = Load(""", "access": { "adminGroups": [] }""");

        Assert.That(options.AdminGroups, Is.Empty);
        Assert.That(options.AdminGroupsConfigured, Is.True);
    }

    [Test]
    public void Parse_ZeroRate_DisablesTheLimit()
    {
        Assert.That(Load(""", "access": { "rateLimit": { "requestsPerSecond": 0 } }""").RateLimit.Enabled, Is.False);
    }

    [Test]
    public void Parse_BadValues_ReportsEveryErrorWithItsKeyPath()
    {
        var ex = Assert.Throws<ConfigException>(() => Load(
            """, "access": { "adminGroups": ["ok", "a:b"], "adminUids": [-1, "root"], "shareActivity": "yes please", "rateLimit": { "requestsPerSecond": -3, "burst": 0, "window": 1 }, "admins": 1 }"""));

        Assert.That(ex!.Message, Does.Contain("access.adminGroups: 'a:b' is not a group name"));
        Assert.That(ex.Message, Does.Contain("access.adminUids: '-1' is not a uid"));
        Assert.That(ex.Message, Does.Contain("access.adminUids: 'root' is not a uid"));
        Assert.That(ex.Message, Does.Contain("access.shareActivity"));
        Assert.That(ex.Message, Does.Contain("access.rateLimit.requestsPerSecond: -3 is out of range"));
        Assert.That(ex.Message, Does.Contain("access.rateLimit.burst: 0 is out of range"));
        Assert.That(ex.Message, Does.Contain("access.rateLimit.window: unknown key"));
        Assert.That(ex.Message, Does.Contain("access.admins: unknown key"));
    }
}
