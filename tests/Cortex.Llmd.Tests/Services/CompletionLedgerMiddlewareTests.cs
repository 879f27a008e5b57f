using System.Net;
using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Tests.Services;

/// <summary>Every finished completion gets exactly one ledger row, also when its deadline passed before routing ran.</summary>
public class CompletionLedgerMiddlewareTests
{
    private const string Complete = "/cortex.llm.v1.Router/Complete";
    private TestDaemon _daemon = null!;
    private RawGrpcClient _raw = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _daemon = await TestDaemon.StartAsync();
        _raw = new RawGrpcClient(_daemon.SocketPath);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _raw.Dispose();
        await _daemon.DisposeAsync();
    }

    private ulong LedgerRequests() => _daemon.App.Services.GetRequiredService<IStatsStore>().Query(new GetStatsRequest(), 0).Total.Requests;

    private static byte[] Ask(string prompt, string route = "") =>
        RawGrpcClient.Frame(new CompleteRequest { Route = route, Messages = { new Message { Role = Role.User, Content = prompt } } });

    [TestCase(Complete)]
    [TestCase("/cortex.llm.v1.Router/StreamComplete")]
    public async Task Call_DeadlinePassesWhileTheBodyIsStillComing_WritesOneDeadlineExceededRow(string path)
    {
        using EventSubscription events = _daemon.App.Services.GetRequiredService<EventHub>().Subscribe([EventKind.RequestFinished]);
        ulong before = LedgerRequests();
        string requestId = "late-" + Guid.NewGuid().ToString("N")[..8];

        // The headers (with a 200 ms deadline) go out at once; the message only after 1 s, so the deadline
        // passes while the library still reads the request and no handler ever runs.
        RawResponse response = await _raw.SendAsync(
            path, new LateContent(Ask("late"), TimeSpan.FromSeconds(1)),
            headers: [new("grpc-timeout", "200m"), new("x-cortex-request-id", requestId)]);

        Assert.That(response.Status, Is.EqualTo(StatusCode.DeadlineExceeded), response.Message);
        RequestFinished finished = await NextFinishedAsync(events, TimeSpan.FromSeconds(10));
        Assert.That(finished.RequestId, Is.EqualTo(requestId));
        Assert.That(finished.Status, Is.EqualTo("DEADLINE_EXCEEDED"));
        Assert.That(finished.Caller.Pid, Is.EqualTo((uint)Environment.ProcessId), "the row names the caller from peer credentials");
        Assert.That(LedgerRequests() - before, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Complete_FortyShortDeadlines_EveryCallHasExactlyOneRow()
    {
        using EventSubscription events = _daemon.App.Services.GetRequiredService<EventHub>().Subscribe([EventKind.RequestFinished]);
        ulong before = LedgerRequests();

        // Deadlines from 1 ms up: some calls end in the gRPC layer, some while routing, some succeed.
        RawResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 40).Select(i =>
            _raw.SendAsync(Complete, Ask("short " + i), headers: [new("grpc-timeout", i + "m"), new("x-cortex-request-id", "short-" + i)])));

        var finished = new List<RequestFinished>();
        for (int i = 0; i < 40; i++)
        {
            finished.Add(await NextFinishedAsync(events, TimeSpan.FromSeconds(10)));
        }

        Assert.That(responses.Select(r => r.Status), Is.All.AnyOf(StatusCode.OK, StatusCode.DeadlineExceeded));
        Assert.That(finished.Select(f => f.RequestId).Distinct().Count(), Is.EqualTo(40UL));
        // A caller that got its answer has an OK row. (The reverse can race: an answer committed an instant
        // before the deadline fired is recorded OK although the caller was told DEADLINE_EXCEEDED.)
        Dictionary<string, string> rows = finished.ToDictionary(f => f.RequestId, f => f.Status);
        for (int i = 1; i <= 40; i++)
        {
            Assert.That(rows["short-" + i], responses[i - 1].Status == StatusCode.OK ? Is.EqualTo("OK") : Is.AnyOf("OK", "DEADLINE_EXCEEDED"));
        }

        // Nothing is counted twice: no 41st row turns up afterwards.
        await Task.Delay(300);
        Assert.That(LedgerRequests() - before, Is.EqualTo(40UL));
    }

    [Test]
    public async Task Complete_DeadlinePassesWhileRouting_WritesOneRowWithTheAttempt()
    {
        using EventSubscription events = _daemon.App.Services.GetRequiredService<EventHub>().Subscribe([EventKind.RequestFinished]);
        ulong before = LedgerRequests();

        RawResponse response = await _raw.SendAsync(Complete, Ask("slow", "slow"), headers: [new("grpc-timeout", "300m")]);

        Assert.That(response.Status, Is.EqualTo(StatusCode.DeadlineExceeded));
        RequestFinished finished = await NextFinishedAsync(events, TimeSpan.FromSeconds(10));
        Assert.That(finished.Status, Is.EqualTo("DEADLINE_EXCEEDED"));
        Assert.That(finished.Route, Is.EqualTo("slow"), "the runner wrote this row, with what routing knew");
        await Task.Delay(300);
        Assert.That(LedgerRequests() - before, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Complete_UnparsableBody_WritesNoRow()
    {
        ulong before = LedgerRequests();

        RawResponse response = await _raw.SendAsync(Complete, RawGrpcClient.Frame([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));

        Assert.That(response.Status, Is.Not.EqualTo(StatusCode.OK));
        await Task.Delay(300);
        Assert.That(LedgerRequests() - before, Is.Zero, "a malformed call was never a request");
    }

    private static async Task<RequestFinished> NextFinishedAsync(EventSubscription events, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return (await events.ReadAsync(cts.Token)).RequestFinished;
    }

    /// <summary>Request content that holds its bytes back, so the server waits for the message.</summary>
    private sealed class LateContent(byte[] body, TimeSpan delay) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await Task.Delay(delay);
            try
            {
                await stream.WriteAsync(body);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException)
            {
                // The server already answered and closed the stream: that is the point.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
