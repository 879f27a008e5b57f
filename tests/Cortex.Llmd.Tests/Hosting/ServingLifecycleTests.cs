using System.Collections;
using System.Net.Sockets;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Systemd;
using Microsoft.Extensions.Hosting;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>In-process, with a recording notifier in systemd's place: READY=1 only once the daemon serves.</summary>
public class ServingLifecycleTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public async Task Start_UnderSystemdLifetime_ReadyOnlyAfterSocketServesLedgerOpenAndStatus()
    {
        string socket = Path.Combine(_dir, "llmd.sock");
        string ledger = Path.Combine(_dir, "ledger.db");
        var notifier = new RecordingNotifier();
        IReadOnlyList<string> sentBeforeReady = ["BeforeReady never ran"];
        bool accepted = false;
        bool ledgerOpen = false;
        var settings = new DaemonAppSettings
        {
            ConfigureLogging = _ => { },
            LedgerPath = ledger,
            Notifier = notifier,
            BeforeReady = async ct =>
            {
                sentBeforeReady = notifier.Sent;
                using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                accepted = true;
                ledgerOpen = File.Exists(ledger);
            },
        };
        DaemonOptions options = DaemonConfig.Load(TestDaemon.TestConfigPath, new Hashtable(), socket, ProviderFactoryRegistry.CreateDefault());
        using IHost app = DaemonApp.Build(options, socket, settings);

        await DaemonApp.StartAsync(app);

        Assert.That(sentBeforeReady, Is.Empty, "nothing was sent yet when BeforeReady ran");
        Assert.That(accepted, Is.True, "the socket accepted before READY");
        Assert.That(ledgerOpen, Is.True, "the ledger was open before READY");
        Assert.That(notifier.Sent, Has.Count.EqualTo(2));
        Assert.That(notifier.Sent[0], Does.StartWith($"STATUS=serving on {socket}; "));
        Assert.That(notifier.Sent[1], Is.EqualTo("READY=1"));

        await app.StopAsync();
        Assert.That(notifier.Sent[^1], Is.EqualTo("STOPPING=1"));
    }
}
