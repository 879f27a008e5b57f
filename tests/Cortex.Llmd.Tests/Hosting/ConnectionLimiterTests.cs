using Cortex.Llmd.Access;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Cortex.Llmd.Hosting.Connections;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>The pieces of the accept path: counting, back-off, the descriptor budget, throttled logs, refusal frames.</summary>
public class ConnectionLimiterTests
{
    private const uint DaemonUid = 998;

    [Test]
    public void TryAcquire_UidAtItsLimit_RefusesThatUidOnly()
    {
        var limiter = new ConnectionLimiter(100, 2, DaemonUid);

        Assert.That(limiter.TryAcquire(1000), Is.EqualTo(ConnectionRefusal.None));
        Assert.That(limiter.TryAcquire(1000), Is.EqualTo(ConnectionRefusal.None));
        Assert.That(limiter.TryAcquire(1000), Is.EqualTo(ConnectionRefusal.PerUidLimit));
        Assert.That(limiter.TryAcquire(1001), Is.EqualTo(ConnectionRefusal.None));
        Assert.That(limiter.Open, Is.EqualTo(3));
        Assert.That(limiter.OpenFor(1000), Is.EqualTo(2));
    }

    [Test]
    public void TryAcquire_RootAtItsLimit_IsRefusedToo()
    {
        var limiter = new ConnectionLimiter(100, 1, DaemonUid);
        limiter.TryAcquire(0);

        Assert.That(limiter.TryAcquire(0), Is.EqualTo(ConnectionRefusal.PerUidLimit));
    }

    [Test]
    public void Release_AfterRefusal_LetsTheNextConnectionIn()
    {
        var limiter = new ConnectionLimiter(100, 1, DaemonUid);
        limiter.TryAcquire(1000);
        Assert.That(limiter.TryAcquire(1000), Is.EqualTo(ConnectionRefusal.PerUidLimit));

        limiter.Release(1000);

        Assert.That(limiter.OpenFor(1000), Is.Zero);
        Assert.That(limiter.TryAcquire(1000), Is.EqualTo(ConnectionRefusal.None));
        Assert.That(limiter.Open, Is.EqualTo(1));
    }

    [Test]
    public void TryAcquire_TotalReachedButForTheReserve_AdmitsOnlyRootAndTheDaemonsOwnUid()
    {
        // 16 slots: an eighth (2) are kept for root and the daemon's uid (the watchdog's probe).
        var limiter = new ConnectionLimiter(16, 16, DaemonUid);
        for (uint uid = 1000; uid < 1014; uid++)
        {
            Assert.That(limiter.TryAcquire(uid), Is.EqualTo(ConnectionRefusal.None));
        }

        Assert.That(limiter.Reserved, Is.EqualTo(2));
        Assert.That(limiter.TryAcquire(2000), Is.EqualTo(ConnectionRefusal.TotalLimit));
        Assert.That(limiter.TryAcquire(DaemonUid), Is.EqualTo(ConnectionRefusal.None));
        Assert.That(limiter.TryAcquire(0), Is.EqualTo(ConnectionRefusal.None));
        Assert.That(limiter.TryAcquire(0), Is.EqualTo(ConnectionRefusal.TotalLimit));
    }

    [Test]
    public void Reserved_LargeLimit_IsCappedAtEight() => Assert.That(new ConnectionLimiter(1024, 64, DaemonUid).Reserved, Is.EqualTo(8));

    [Test]
    public void Next_RepeatedFailures_DoublesFrom5MsUpToOneSecondAndResets()
    {
        var backoff = new AcceptBackoff();
        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        Assert.That(delays, Is.EqualTo(new double[] { 5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000 }));
        backoff.Reset();
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromMilliseconds(5)));
    }

    [TestCase(SocketError.TooManyOpenSockets, true)]
    [TestCase(SocketError.NoBufferSpaceAvailable, true)]
    [TestCase(SocketError.ConnectionAborted, false)]
    [TestCase(SocketError.InvalidArgument, false)]
    public void IsResourceExhaustion_SocketError_ClassifiesDescriptorAndMemoryShortage(SocketError error, bool expected) =>
        Assert.That(AcceptBackoff.IsResourceExhaustion(new SocketException((int)error)), Is.EqualTo(expected));

    [Test]
    public void Fit_EnoughDescriptors_KeepsTheLimitAndDoesNotTouchRlimit()
    {
        var limit = new FakeDescriptorLimit(soft: 4096, hard: 4096, open: 100);

        Assert.That(DescriptorBudget.Fit(1024, limit), Is.EqualTo((1024, (string?)null)));
        Assert.That(limit.SetCalls, Is.Zero);
    }

    [Test]
    public void Fit_SoftTooLowHardEnough_RaisesTheSoftLimitOnly()
    {
        var limit = new FakeDescriptorLimit(soft: 1024, hard: 524288, open: 100);

        Assert.That(DescriptorBudget.Fit(1024, limit), Is.EqualTo((1024, (string?)null)));
        Assert.That(limit.Soft, Is.EqualTo(1024 + 100 + DescriptorBudget.Headroom));
    }

    [Test]
    public void Fit_HardTooLow_LowersTheLimitAndSaysWhy()
    {
        var limit = new FakeDescriptorLimit(soft: 256, hard: 512, open: 100);

        (int max, string? warning) = DescriptorBudget.Fit(1024, limit);

        Assert.That(max, Is.EqualTo(512 - 100 - DescriptorBudget.Headroom));
        Assert.That(limit.Soft, Is.EqualTo(512));
        Assert.That(warning, Is.EqualTo("server.maxConnections lowered from 1024 to 348: the descriptor limit (RLIMIT_NOFILE) is 512 (hard 512) and 164 descriptors are kept for the daemon itself; raise LimitNOFILE= or ulimit -n"));
    }

    [Test]
    public void Fit_RaiseRefused_LowersTheLimitToTheSoftOne()
    {
        // Under the unit's SystemCallFilter=~@resources setrlimit fails; the unit's LimitNOFILE= rules.
        var limit = new FakeDescriptorLimit(soft: 300, hard: 4096, open: 100) { RefuseSet = true };

        Assert.That(DescriptorBudget.Fit(1024, limit).MaxConnections, Is.EqualTo(300 - 164));
    }

    [Test]
    public void Fit_NoRoomAtAll_KeepsOneConnection() =>
        Assert.That(DescriptorBudget.Fit(1024, new FakeDescriptorLimit(soft: 50, hard: 50, open: 40)).MaxConnections, Is.EqualTo(1));

    [Test]
    public void ShouldLog_SameUidWithinAMinute_IsSuppressedUntilTheMinutePassed()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var throttle = new CallerLogThrottle(time, TimeSpan.FromMinutes(1));

        Assert.That(throttle.ShouldLog(1000, "connection", out _), Is.True);
        Assert.That(throttle.ShouldLog(1000, "connection", out _), Is.False);
        Assert.That(throttle.ShouldLog(1001, "connection", out _), Is.True);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(throttle.ShouldLog(1000, "connection", out _), Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(throttle.ShouldLog(1000, "connection", out _), Is.True);
    }

    [Test]
    public void Build_Reason_IsAnEmptySettingsThenGoAwayEnhanceYourCalmCarryingTheReason()
    {
        byte[] frames = RefusalFrames.Build("limit");

        Assert.That(frames[..9], Is.EqualTo(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }), "SETTINGS, empty, stream 0");
        Assert.That(frames[9..18], Is.EqualTo(new byte[] { 0, 0, 13, 7, 0, 0, 0, 0, 0 }), "GOAWAY of 8 + 5 bytes");
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(frames.AsSpan(18)), Is.Zero, "last stream id");
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(frames.AsSpan(22)), Is.EqualTo(0xb), "ENHANCE_YOUR_CALM");
        Assert.That(Encoding.ASCII.GetString(frames, 26, frames.Length - 26), Is.EqualTo("limit"));
    }

    [Test]
    public void Release_ThenRefill_GivesBackAndRetakesSixteenDescriptors()
    {
        static int Open() => Directory.GetFileSystemEntries("/proc/self/fd").Length;
        using var spares = new SpareDescriptors();
        Assert.That(spares.Full, Is.True);
        int held = Open();

        spares.Release();
        int released = Open();
        bool refilled = spares.TryRefill();

        Assert.That(held - released, Is.EqualTo(SpareDescriptors.Count).Within(2), "other threads may open a descriptor meanwhile");
        Assert.That(refilled, Is.True);
        Assert.That(spares.Full, Is.True);
    }

    private sealed class FakeDescriptorLimit(ulong soft, ulong hard, int open) : IDescriptorLimit
    {
        public ulong Soft { get; private set; } = soft;

        public int SetCalls { get; private set; }

        public bool RefuseSet { get; init; }

        public (ulong Soft, ulong Hard)? Read() => (Soft, hard);

        public bool TrySetSoft(ulong value, ulong hardLimit)
        {
            SetCalls++;
            if (RefuseSet || value > hardLimit)
            {
                return false;
            }

            Soft = value;
            return true;
        }

        public int OpenNow() => open;
    }
}
