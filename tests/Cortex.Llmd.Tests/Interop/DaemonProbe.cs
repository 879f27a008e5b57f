using Cortex.Llm.V1;
using Cortex.Llmd.Events;
using Cortex.Llmd.Model;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Tests.Interop;

/// <summary>
/// The daemon's side of one interop case: a stats snapshot and an event subscription taken before the
/// client runs, so a case can prove what the server itself observed, counted as a difference.
/// </summary>
internal sealed class DaemonProbe : IDisposable
{
    private readonly IStatsStore _stats;
    private readonly TargetStateRegistry _states;
    private readonly EventSubscription _events;
    private readonly List<RequestFinished> _finished = [];

    private DaemonProbe(TestDaemon daemon)
    {
        _stats = daemon.App.Services.GetRequiredService<IStatsStore>();
        _states = daemon.App.Services.GetRequiredService<TargetStateRegistry>();
        _events = daemon.App.Services.GetRequiredService<EventHub>().Subscribe([EventKind.RequestFinished]);
        Before = Totals();
    }

    /// <summary>The stats totals before the case ran.</summary>
    public StatsGroup Before { get; }

    public static DaemonProbe Start(TestDaemon daemon) => new(daemon);

    public StatsGroup Totals() => _stats.Query(new GetStatsRequest(), 0).Total;

    /// <summary>The RequestFinished event of one request, waiting for it when the server has not finished it yet.</summary>
    public async Task<RequestFinished> WaitForRequestAsync(string requestId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_finished.Find(f => f.RequestId == requestId) is { } found)
            {
                return found;
            }

            try
            {
                Event evt = await _events.ReadAsync(cts.Token);
                _finished.Add(evt.RequestFinished);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail(
                    $"The daemon published no RequestFinished event for request '{requestId}' within {timeout.TotalSeconds} s. "
                    + $"Requests it finished meanwhile: [{string.Join(", ", _finished.Select(f => $"{f.RequestId}={f.Status}"))}]");
                throw;
            }
        }
    }

    /// <summary>Polls until no attempt is in flight; returns the last count seen (0 unless the timeout passed).</summary>
    public async Task<int> WaitForNoneInFlightAsync(TimeSpan timeout)
    {
        DateTime giveUp = DateTime.UtcNow + timeout;
        while (true)
        {
            int inFlight = _states.TotalInFlight;
            if (inFlight == 0 || DateTime.UtcNow >= giveUp)
            {
                return inFlight;
            }

            await Task.Delay(20);
        }
    }

    public void Dispose() => _events.Dispose();
}
