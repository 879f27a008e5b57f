using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>The composition: what runs in which order.</summary>
public class DaemonAppTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public void Build_HostedServices_WebHostIsLastAfterTheLedger()
    {
        // Hosted services start in order and stop in reverse: the socket must accept only once the
        // ledger is open, and stop (draining calls) before the ledger flushes.
        string socket = Path.Combine(_dir, "s.sock");
        DaemonOptions options = DaemonConfig.Load(TestDaemon.TestConfigPath, new Hashtable(), socket, ProviderFactoryRegistry.CreateDefault());
        using IHost app = DaemonApp.Build(options, socket, new DaemonAppSettings
        {
            ConfigureLogging = _ => { },
            LedgerPath = Path.Combine(_dir, "ledger.db"),
        });

        List<Type> order = [.. app.Services.GetServices<IHostedService>().Select(s => s.GetType())];

        // The web host's service runs Kestrel; it is internal to ASP.NET Core, so it is found by name.
        Assert.That(order[^1].Name, Is.EqualTo("GenericWebHostService"));
        Assert.That(order, Has.Member(typeof(LedgerService)));
        Assert.That(order.Count(t => t.Name == "GenericWebHostService"), Is.EqualTo(1));
    }

    [Test]
    public void Build_NotStarted_DoesNotBindTheSocket()
    {
        string socket = Path.Combine(_dir, "s.sock");
        DaemonOptions options = DaemonConfig.Load(TestDaemon.TestConfigPath, new Hashtable(), socket, ProviderFactoryRegistry.CreateDefault());
        using IHost app = DaemonApp.Build(options, socket, new DaemonAppSettings
        {
            ConfigureLogging = _ => { },
            LedgerPath = Path.Combine(_dir, "ledger.db"),
        });

        Assert.That(File.Exists(socket), Is.False);
    }
}
