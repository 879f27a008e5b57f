using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerOptionsTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private DaemonOptions Load(string ledgerJson)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, "{ \"providers\": { \"m\": { \"kind\": \"mock\" } }, \"routes\": { \"r\": { \"targets\": [\"m/x\"] } }" + ledgerJson + " }");
        return DaemonConfig.Load(path, new Hashtable(), null, ProviderFactoryRegistry.CreateDefault());
    }

    [Test]
    public void Parse_NoSection_UsesDefaults()
    {
        Assert.That(Load(string.Empty).Ledger, Is.EqualTo(new LedgerOptions { Path = null, StorePrompts = false, RetentionDays = 90, MaxBatch = 256, BacklogLimit = 10_000 }));
    }

    [Test]
    public void Parse_EveryKey_IsRead()
    {
        LedgerOptions options = Load(""", "ledger": { "path": "/srv/l.db", "storePrompts": true, "retentionDays": 0, "maxBatch": 32, "backlogLimit": 5, "durability": "power" }""").Ledger;

        Assert.That(options, Is.EqualTo(new LedgerOptions { Path = "/srv/l.db", StorePrompts = true, RetentionDays = 0, MaxBatch = 32, BacklogLimit = 5, Durability = LedgerDurability.Power }));
    }

    [Test]
    public void Parse_NoDurability_IsCrash()
    {
        Assert.That(Load(""", "ledger": { "maxBatch": 8 }""").Ledger.Durability, Is.EqualTo(LedgerDurability.Crash));
        Assert.That(Load(""", "ledger": { "durability": "crash" }""").Ledger.Durability, Is.EqualTo(LedgerDurability.Crash));
    }

    [TestCase("fsync")]
    [TestCase("Power")]
    [TestCase("")]
    public void Parse_UnknownDurability_ErrorNamesTheValidValues(string value)
    {
        var ex = Assert.Throws<ConfigException>(() => Load($$""", "ledger": { "durability": "{{value}}" }"""));

        Assert.That(ex!.Message, Does.Contain($"ledger.durability: '{value}' is not one of: crash, power"));
    }

    [Test]
    public void Parse_BadValues_ReportsEveryErrorWithItsKeyPath()
    {
        var ex = Assert.Throws<ConfigException>(() => Load(""", "ledger": { "path": "rel.db", "maxBatch": 0, "retentionDays": -1, "keep": 1 }"""));

        Assert.That(ex!.Message, Does.Contain("ledger.path: 'rel.db' must be an absolute path"));
        Assert.That(ex.Message, Does.Contain("ledger.maxBatch"));
        Assert.That(ex.Message, Does.Contain("ledger.retentionDays"));
        Assert.That(ex.Message, Does.Contain("ledger.keep: unknown key"));
    }

    [Test]
    public void Default_StateDirectorySet_UsesIt()
    {
        var env = new Hashtable { ["STATE_DIRECTORY"] = "/var/lib/cortex-llmd:/var/lib/other", ["XDG_STATE_HOME"] = "/x" };

        Assert.That(LedgerPaths.Default(env, 0), Is.EqualTo("/var/lib/cortex-llmd/ledger.db"));
    }

    [Test]
    public void Default_Root_UsesSystemPath()
    {
        Assert.That(LedgerPaths.Default(new Hashtable { ["XDG_STATE_HOME"] = "/x" }, 0), Is.EqualTo("/var/lib/cortex-llmd/ledger.db"));
    }

    [Test]
    public void Default_UserWithXdgStateHome_UsesIt()
    {
        Assert.That(LedgerPaths.Default(new Hashtable { ["XDG_STATE_HOME"] = "/home/u/.st" }, 1000), Is.EqualTo("/home/u/.st/cortex-llmd/ledger.db"));
    }

    [Test]
    public void Default_UserWithoutXdgStateHome_UsesLocalState()
    {
        Assert.That(LedgerPaths.Default(new Hashtable { ["HOME"] = "/home/u" }, 1000), Is.EqualTo("/home/u/.local/state/cortex-llmd/ledger.db"));
    }

    [Test]
    public void Resolve_ConfiguredPath_WinsOverDefaults()
    {
        Assert.That(LedgerPaths.Resolve(new LedgerOptions { Path = "/srv/l.db" }, new Hashtable { ["STATE_DIRECTORY"] = "/s" }, 0), Is.EqualTo("/srv/l.db"));
    }
}
