using System.Diagnostics;
using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>
/// The daemon's messages through the library's SystemdNotifier, against a real datagram listener on a
/// path and in the abstract namespace ("@name"), as systemd's NOTIFY_SOCKET names them.
/// </summary>
[NonParallelizable] // the library reads NOTIFY_SOCKET from the process environment
public class NotificationsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private static SystemdNotifier LibraryNotifier(string? notifySocket)
    {
        string? saved = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", notifySocket);
        try
        {
            return new SystemdNotifier();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", saved);
        }
    }

    private IEnumerable<string> Addresses()
    {
        yield return Path.Combine(_dir, "notify.sock");
        yield return "@cortex-llmd-test-" + Guid.NewGuid().ToString("N");
    }

    [Test]
    public async Task Notify_PathAndAbstractSocket_OneExactDatagramEach()
    {
        foreach (string address in Addresses())
        {
            using var listener = new DatagramListener(address);
            var notifier = new GuardedNotifier(LibraryNotifier(address), NullLogger.Instance);

            notifier.Notify(ServiceState.Ready);
            notifier.Notify(Notifications.Status("serving on /run/cortex/llmd.sock;\n2/3 providers available"));
            notifier.Notify(Notifications.Reloading(123456789));
            notifier.Notify(Notifications.Watchdog);
            notifier.Notify(ServiceState.Stopping);

            Assert.That(notifier.IsEnabled, Is.True);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("READY=1"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("STATUS=serving on /run/cortex/llmd.sock; 2/3 providers available"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("RELOADING=1\nMONOTONIC_USEC=123456789"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("WATCHDOG=1"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("STOPPING=1"), address);
        }
    }

    [Test]
    public async Task Notify_AbstractSocket_DoesNotCreateAFile()
    {
        string name = "@cortex-llmd-test-" + Guid.NewGuid().ToString("N");
        using var listener = new DatagramListener(name);

        LibraryNotifier(name).Notify(ServiceState.Ready);

        Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("READY=1"));
        Assert.That(File.Exists(name), Is.False);
        Assert.That(File.Exists(name[1..]), Is.False);
    }

    [TestCase(null)]
    [TestCase("")]
    public void Notify_NotifySocketUnset_IsNoOp(string? notifySocket)
    {
        var notifier = new GuardedNotifier(LibraryNotifier(notifySocket), NullLogger.Instance);

        Assert.That(notifier.IsEnabled, Is.False);
        Assert.DoesNotThrow(() => notifier.Notify(ServiceState.Ready));
    }

    [Test]
    public void Notify_NotUnderSystemd_IsNoOp()
    {
        var notifier = new GuardedNotifier(null, NullLogger.Instance);

        Assert.That(notifier.IsEnabled, Is.False);
        Assert.DoesNotThrow(() => notifier.Notify(Notifications.Watchdog));
    }

    [Test]
    public void Notify_NobodyListening_LibraryThrowsGuardedDoesNot()
    {
        SystemdNotifier library = LibraryNotifier(Path.Combine(_dir, "nobody.sock"));
        var notifier = new GuardedNotifier(library, NullLogger.Instance);

        Assert.That(() => library.Notify(ServiceState.Ready), Throws.InstanceOf<System.Net.Sockets.SocketException>(), "why the guard exists");
        Assert.DoesNotThrow(() => notifier.Notify(Notifications.Watchdog));
        Assert.DoesNotThrow(() => notifier.Notify(ServiceState.Stopping));
    }

    [Test]
    public void MonotonicMicroseconds_ComparedWithTickCount_SameClock()
    {
        // Environment.TickCount64 reads CLOCK_MONOTONIC_COARSE on Linux: same origin, so within a second.
        long tickUsec = Environment.TickCount64 * 1000;
        long usec = Notifications.MonotonicMicroseconds();

        Assert.That(usec, Is.EqualTo(tickUsec).Within(1_000_000));
        Assert.That(Stopwatch.Frequency % 1_000_000, Is.Zero, "the conversion divides exactly");
    }
}
