using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Health;

/// <summary>A circuit opened before a restart is still open after it: its state lives in the ledger.</summary>
public class BreakerPersistenceTests
{
    private const string Config = """
        {
          "logging": { "level": "warning" },
          "providers": { "down": { "kind": "mock", "failure": "error", "retries": 0 }, "ok": { "kind": "mock", "reply": "fine" } },
          "routes": { "r": { "targets": ["down/d", "ok/o"] } },
          "tasks": { "default": "r" },
          "health": { "breaker": { "minimumThroughput": 2, "breakDuration": "10m" }, "probes": { "enabled": false } }
        }
        """;

    [Test]
    public async Task Restart_AfterCircuitOpened_TargetStillSkippedAsOpen()
    {
        string dir = TempDirectory.Create();
        try
        {
            var settings = new DaemonAppSettings { ConfigureLogging = _ => { }, LedgerPath = Path.Combine(dir, "ledger.db") };
            var ask = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "x" } } };
            await using (TestDaemon first = await TestDaemon.StartFromJsonAsync(Config, settings))
            {
                using var client = new CortexLlmClient(first.SocketPath);
                await client.CompleteAsync(ask);
                await client.CompleteAsync(ask);
                CompleteResponse third = await client.CompleteAsync(ask);
                Assert.That(third.Attempts.Select(a => (a.Provider, a.Outcome)), Is.EqualTo(new[] { ("down", AttemptOutcome.Skipped), ("ok", AttemptOutcome.Success) }),
                    "open before the restart: skipped without a call, and listed");
                Assert.That(third.Attempts[0].Reason, Does.StartWith("skipped: circuit open until"));
            }

            await using TestDaemon second = await TestDaemon.StartFromJsonAsync(Config, settings);
            using var again = new CortexLlmClient(second.SocketPath);
            RoutingDecision decision = await again.RouteAsync(ask);
            ListProvidersResponse providers = await again.ListProvidersAsync();

            Candidate down = decision.Candidates.Single(c => c.Provider == "down");
            Assert.That(down.Eligible, Is.False);
            Assert.That(down.Reason, Does.StartWith("skipped: circuit open until"));
            Assert.That(providers.Providers.Single(p => p.Name == "down").Targets.Single().Breaker, Is.EqualTo("open"));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }
}
