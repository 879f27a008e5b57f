using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Events;
using Cortex.Llmd.Model;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>ConfigReloader in-process: swap, events, notifications, retirement of the old model.</summary>
public class ConfigReloaderTests
{
    private const string Good = """
        {
          "providers": { "mock": { "kind": "mock", "defaultModel": "mock-1" }, "extra": { "kind": "mock", "defaultModel": "extra-1" } },
          "routes": { "default": { "targets": ["mock/mock-1"] }, "extra": { "targets": ["extra/extra-1"] } },
          "tasks": { "default": "default" }
        }
        """;

    private const string Bad = """
        { "providers": { "m": { "kind": "warp" } }, "routes": { "r": { "targets": ["ghost/model"] } } }
        """;

    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(15);
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private sealed class DisposableProvider : IProvider, IDisposable
    {
        public bool Disposed { get; private set; }

        public string Name => "old";

        public string Kind => "mock";

        public ProviderDescription Describe() => new(false, "");

        public IAsyncEnumerable<ProviderEvent> StreamAsync(ProviderCall call, CancellationToken cancellationToken) => throw new NotSupportedException();

        public void Dispose() => Disposed = true;
    }

    private sealed record Rig(ConfigReloader Reloader, RuntimeModelHolder Holder, RuntimeModel Initial, DisposableProvider OldProvider, RecordingNotifier Notifier, EventSubscription Events, ManualTimeProvider Time, string ConfigPath);

    private Rig Create()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string path = Path.Combine(_dir, "llmd.json");
        var old = new DisposableProvider();
        File.WriteAllText(path, Good);
        DaemonOptions options = DaemonConfig.Load(path, new Dictionary<string, string>(), null, ProviderFactoryRegistry.CreateDefault());
        var initial = new RuntimeModel(options, new Dictionary<string, IProvider> { ["old"] = old }, time.GetUtcNow());
        var holder = new RuntimeModelHolder(initial);
        var hub = new EventHub(time);
        var notifier = new RecordingNotifier();
        var reloader = new ConfigReloader(
            new ConfigSource(path, new Dictionary<string, string>(), null),
            ProviderFactoryRegistry.CreateDefault(),
            new ProviderContext(time, new Dictionary<string, string>()),
            holder,
            hub,
            notifier,
            time,
            RetireAfter,
            () => "status line",
            NullLogger<ConfigReloader>.Instance);
        return new Rig(reloader, holder, initial, old, notifier, hub.Subscribe([EventKind.ConfigReloaded]), time, path);
    }

    private static void AssertNotifiedAroundReload(RecordingNotifier notifier)
    {
        Assert.That(notifier.Sent, Has.Count.EqualTo(3));
        Assert.That(notifier.Sent[0], Does.Match(@"^RELOADING=1\nMONOTONIC_USEC=\d+$"));
        Assert.That(notifier.Sent.Skip(1), Is.EqualTo(new[] { "READY=1", "STATUS=status line" }));
    }

    [Test]
    public async Task Reload_GoodConfig_SwapsPublishesAndNotifiesAroundIt()
    {
        Rig rig = Create();
        await File.WriteAllTextAsync(rig.ConfigPath, Good);

        bool applied = await rig.Reloader.ReloadAsync();

        Assert.That(applied, Is.True);
        Assert.That(rig.Holder.Current, Is.Not.SameAs(rig.Initial));
        Assert.That(rig.Holder.Current.Providers.Keys, Is.EquivalentTo(new[] { "mock", "extra" }));
        AssertNotifiedAroundReload(rig.Notifier);
        Event evt = await rig.Events.ReadAsync(CancellationToken.None);
        Assert.That(evt.ConfigReloaded.Applied, Is.True);
        rig.Reloader.Dispose();
    }

    [Test]
    public async Task Reload_BadConfig_KeepsModelPublishesEveryErrorAndStillReady()
    {
        Rig rig = Create();
        await File.WriteAllTextAsync(rig.ConfigPath, Bad);

        bool applied = await rig.Reloader.ReloadAsync();

        Assert.That(applied, Is.False);
        Assert.That(rig.Holder.Current, Is.SameAs(rig.Initial));
        Assert.That(rig.OldProvider.Disposed, Is.False);
        AssertNotifiedAroundReload(rig.Notifier);
        Event evt = await rig.Events.ReadAsync(CancellationToken.None);
        Assert.That(evt.ConfigReloaded.Applied, Is.False);
        Assert.That(evt.ConfigReloaded.Detail, Does.Contain("providers.m.kind: unknown provider kind 'warp'")
            .And.Contain("routes.r.targets[0]: unknown provider 'ghost'"));
        rig.Reloader.Dispose();
    }

    [Test]
    public async Task Reload_GoodConfig_OldModelDisposedOnlyAfterGracePeriod()
    {
        Rig rig = Create();
        await File.WriteAllTextAsync(rig.ConfigPath, Good);

        await rig.Reloader.ReloadAsync();
        rig.Time.Advance(RetireAfter - TimeSpan.FromSeconds(1));
        Assert.That(rig.OldProvider.Disposed, Is.False, "in-flight requests may still use the old model");
        rig.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(rig.OldProvider.Disposed, Is.True);
        rig.Reloader.Dispose();
    }

    [Test]
    public async Task Dispose_RetirementPending_DisposesOldModelAtOnce()
    {
        Rig rig = Create();
        await File.WriteAllTextAsync(rig.ConfigPath, Good);
        await rig.Reloader.ReloadAsync();

        rig.Reloader.Dispose();

        Assert.That(rig.OldProvider.Disposed, Is.True);
    }
}
