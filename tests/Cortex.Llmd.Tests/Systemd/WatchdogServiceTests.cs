using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Systemd;

public class WatchdogServiceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private sealed class FakeProbe : ILivenessProbe
    {
        private int _calls;

        public Func<CancellationToken, Task<bool>> Answer { get; set; } = _ => Task.FromResult(true);

        public int Calls => Volatile.Read(ref _calls);

        public Task<bool> CheckAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Answer(cancellationToken);
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        DateTime end = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                Assert.Fail("condition not reached within 10 s");
            }

            await Task.Delay(5);
        }
    }

    private static (WatchdogService Service, ManualTimeProvider Time, FakeProbe Probe, RecordingNotifier Notifier) Create()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var probe = new FakeProbe();
        var notifier = new RecordingNotifier();
        return (new WatchdogService(Interval, probe, notifier, time, NullLogger<WatchdogService>.Instance), time, probe, notifier);
    }

    [Test]
    public async Task Run_ProbeAlive_PingsEveryHalfInterval()
    {
        (WatchdogService service, ManualTimeProvider time, FakeProbe probe, RecordingNotifier notifier) = Create();
        using var cts = new CancellationTokenSource();
        Task run = service.RunAsync(cts.Token);

        time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(50);
        Assert.That(notifier.Pings, Is.Zero, "no ping before half the interval");

        for (int i = 1; i <= 4; i++)
        {
            time.Advance(i == 1 ? TimeSpan.FromSeconds(0.1) : TimeSpan.FromSeconds(5));
            await Until(() => notifier.Pings == i);
        }

        Assert.That(probe.Calls, Is.EqualTo(5), "the warm-up probe and one per tick");
        await cts.CancelAsync();
        await run;
    }

    [Test]
    public async Task Run_Start_WarmsUpOnceWithoutPinging()
    {
        (WatchdogService service, ManualTimeProvider time, FakeProbe probe, RecordingNotifier notifier) = Create();
        var slowFirst = new TaskCompletionSource<bool>();
        probe.Answer = _ => probe.Calls == 1 ? slowFirst.Task : Task.FromResult(true);
        using var cts = new CancellationTokenSource();
        Task run = service.RunAsync(cts.Token);

        // A first call slower than the probe budget (a JIT build compiling the gRPC paths) is no failure.
        await Until(() => probe.Calls == 1);
        time.Advance(TimeSpan.FromSeconds(3));
        slowFirst.SetResult(true);
        await Task.Delay(50);
        Assert.That(notifier.Pings, Is.Zero, "the warm-up's answer is not a tick");

        time.Advance(TimeSpan.FromSeconds(2));
        await Until(() => notifier.Pings == 1);
        Assert.That(probe.Calls, Is.EqualTo(2));
        await cts.CancelAsync();
        await run;
    }

    [Test]
    public async Task Run_ProbeFails_NoPingUntilItAnswersAgain()
    {
        (WatchdogService service, ManualTimeProvider time, FakeProbe probe, RecordingNotifier notifier) = Create();
        probe.Answer = _ => Task.FromResult(false);
        using var cts = new CancellationTokenSource();
        Task run = service.RunAsync(cts.Token);

        await Until(() => probe.Calls == 1); // the warm-up
        for (int i = 1; i <= 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Until(() => probe.Calls == i + 1);
        }

        await Task.Delay(50);
        Assert.That(notifier.Pings, Is.Zero);

        probe.Answer = _ => Task.FromResult(true);
        time.Advance(TimeSpan.FromSeconds(5));
        await Until(() => notifier.Pings == 1);
        await cts.CancelAsync();
        await run;
    }

    [Test]
    public async Task Run_ProbeHangs_TimesOutWithoutPing()
    {
        (WatchdogService service, ManualTimeProvider time, FakeProbe probe, RecordingNotifier notifier) = Create();
        probe.Answer = _ => new TaskCompletionSource<bool>().Task; // a wedged pipeline: never answers
        using var cts = new CancellationTokenSource();
        Task run = service.RunAsync(cts.Token);

        await Until(() => probe.Calls == 1); // the warm-up, which gives up after half the interval
        time.Advance(TimeSpan.FromSeconds(5));
        await Until(() => probe.Calls == 2);
        time.Advance(TimeSpan.FromSeconds(2.5)); // the probe's timeout: a quarter of the interval
        time.Advance(TimeSpan.FromSeconds(2.5));
        await Until(() => probe.Calls == 3);

        Assert.That(notifier.Pings, Is.Zero);
        await cts.CancelAsync();
        await run;
    }

    [TestCase("30000000", null, 42, 30.0)]
    [TestCase("30000000", "42", 42, 30.0)]
    [TestCase("30000000", "41", 42, null)]
    [TestCase(null, null, 42, null)]
    [TestCase("0", null, 42, null)]
    [TestCase("soon", null, 42, null)]
    public void Interval_Table(string? usec, string? watchdogPid, int pid, double? seconds)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = watchdogPid };

        TimeSpan? interval = WatchdogSettings.Interval(name => environment.GetValueOrDefault(name), pid);

        Assert.That(interval, Is.EqualTo(seconds is { } s ? TimeSpan.FromSeconds(s) : null));
    }
}
