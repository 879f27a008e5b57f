using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Events;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Tests.Budgets;

/// <summary>Warning 603 (a budget rejected a request) is written once per budget and UTC window, not once per request.</summary>
public class BudgetWarningTests
{
    private const string WarningTag = "BudgetGuard[603]";

    [Test]
    public async Task Complete_BurstRejectedByExhaustedBudget_DaemonLogsWarning603Once()
    {
        string dir = TempDirectory.Create();
        try
        {
            string config = Path.Combine(dir, "config.json");
            await File.WriteAllTextAsync(config, """
                {
                  "logging": { "level": "information" },
                  "providers": {
                    "cloud": { "kind": "mock", "usage": { "inputTokens": 1, "outputTokens": 1 },
                               "models": { "m": { "price": { "input": "1000", "output": "1000" } } } }
                  },
                  "routes": { "main": { "targets": ["cloud/m"] } },
                  "tasks": { "default": "main" },
                  "health": { "probes": { "enabled": false } },
                  "budgets": [ { "name": "tiny", "scope": "global", "daily": "0.002" } ]
                }
                """);
            string socket = Path.Combine(dir, "llmd.sock");
            using DaemonProcess daemon = DaemonProcess.Start(
                new Dictionary<string, string> { ["CORTEX_LLMD_LEDGER__PATH"] = Path.Combine(dir, "ledger.db") }, "--config", config, "--socket", socket);
            await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));
            using var client = new CortexLlmClient(socket);
            var ask = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "hi" } }, MaxTokens = 1 };

            await client.CompleteAsync(ask); // spends the whole $0.002
            Task[] burst = [.. Enumerable.Range(0, 35).Select(_ => client.CompleteAsync(ask))];
            await Task.WhenAll(burst).ContinueWith(_ => { }, TaskScheduler.Default);
            daemon.Signal(15);
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.That(burst.Select(t => ((RpcException)t.Exception!.InnerException!).StatusCode), Is.All.EqualTo(StatusCode.ResourceExhausted));
            string log = daemon.Stdout + daemon.Stderr;
            string[] warnings = [.. log.Split('\n').Where(line => line.Contains(WarningTag, StringComparison.Ordinal))];
            Assert.That(warnings, Has.Length.EqualTo(1), log);
            Assert.That(warnings[0], Does.Contain("Budget tiny exhausted: budget 'tiny' (daily, global) exhausted: spent $0.002000 of $0.002000"));
            Assert.That(warnings[0], Does.EndWith("further requests it rejects this daily window are not logged (they are in the ledger and stats)"));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Test]
    public void Admit_ExhaustedAgainNextUtcDay_LogsOncePerDay()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2027, 3, 10, 22, 0, 0, TimeSpan.Zero));
        var logger = new CountingLogger();
        var guard = new BudgetGuard(new SpendBook(time), new FixedSpendSource([]), new EventHub(time), logger);
        var budget = new BudgetOptions("day", BudgetScope.Global, string.Empty, 1, null);
        var options = BudgetGuardTests.Options([budget]);
        var plan = new RoutePlan(TaskType.Unspecified, "r", [new PlannedCandidate(new TargetRef("cloud", "m"), "r", true, "test")])
        {
            Facts = new RequestFacts(false, false, false, 1, 1, 0),
        };

        int[] perDay = new int[2];
        for (int day = 0; day < 2; day++)
        {
            guard.Settle(Reservation.None, string.Empty, CallerInfo.Unknown, 1, options); // spends the day's whole limit
            for (int i = 0; i < 5; i++)
            {
                Assert.Throws<RouterException>(() => guard.Admit(new CompleteRequest(), plan, options, CallerInfo.Unknown, _ => plan));
            }

            perDay[day] = logger.Count(603);
            time.Advance(TimeSpan.FromHours(24));
        }

        Assert.That(perDay, Is.EqualTo(new[] { 1, 2 }));
    }

    private sealed class CountingLogger : ILogger<BudgetGuard>
    {
        private readonly List<int> _events = [];

        public int Count(int eventId)
        {
            lock (_events)
            {
                return _events.Count(e => e == eventId);
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events)
            {
                _events.Add(eventId.Id);
            }
        }
    }
}
