using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>sd_notify against a real datagram listener, on a path and in the abstract namespace.</summary>
public class SystemdNotifierTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private IEnumerable<string> Addresses()
    {
        yield return Path.Combine(_dir, "notify.sock");
        yield return "@cortex-llmd-test-" + Guid.NewGuid().ToString("N");
    }

    [Test]
    public async Task Messages_PathAndAbstractSocket_OneExactDatagramEach()
    {
        foreach (string address in Addresses())
        {
            using var listener = new DatagramListener(address);
            using var notifier = new SystemdNotifier(address, NullLogger.Instance);

            notifier.Ready();
            notifier.Status("serving on /run/cortex/llmd.sock;\n2/3 providers available");
            notifier.Reloading(123456789);
            notifier.Watchdog();
            notifier.Stopping();

            Assert.That(notifier.IsEnabled, Is.True);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("READY=1"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("STATUS=serving on /run/cortex/llmd.sock; 2/3 providers available"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("RELOADING=1\nMONOTONIC_USEC=123456789"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("WATCHDOG=1"), address);
            Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("STOPPING=1"), address);
        }
    }

    [Test]
    public async Task Ready_AbstractSocket_DoesNotCreateAFile()
    {
        string name = "@cortex-llmd-test-" + Guid.NewGuid().ToString("N");
        using var listener = new DatagramListener(name);
        using var notifier = new SystemdNotifier(name, NullLogger.Instance);

        notifier.Ready();

        Assert.That(await listener.ReceiveAsync(Wait), Is.EqualTo("READY=1"));
        Assert.That(File.Exists(name), Is.False);
        Assert.That(File.Exists(name[1..]), Is.False);
    }

    [TestCase(null)]
    [TestCase("")]
    public void Send_NotifySocketUnset_IsNoOp(string? notifySocket)
    {
        using var notifier = new SystemdNotifier(notifySocket, NullLogger.Instance);

        Assert.That(notifier.IsEnabled, Is.False);
        Assert.That(notifier.Send("READY=1"), Is.False);
        Assert.DoesNotThrow(notifier.Ready);
    }

    [Test]
    public void Send_NobodyListening_ReturnsFalseWithoutThrowing()
    {
        using var notifier = new SystemdNotifier(Path.Combine(_dir, "nobody.sock"), NullLogger.Instance);

        Assert.That(notifier.Send("READY=1"), Is.False);
        Assert.DoesNotThrow(notifier.Stopping);
    }

    [Test]
    public void MonotonicMicroseconds_ComparedWithStopwatch_SameClock()
    {
        // On Linux, Stopwatch reads CLOCK_MONOTONIC too: both must agree to within a second.
        long stopwatchUsec = System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000);
        long usec = SystemdNotifier.MonotonicMicroseconds();

        Assert.That(usec, Is.EqualTo(stopwatchUsec).Within(1_000_000));
    }
}
