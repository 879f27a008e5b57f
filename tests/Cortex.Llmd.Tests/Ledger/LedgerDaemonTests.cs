using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Tests.Ledger;

/// <summary>The ledger inside the daemon: answers wait for rows, a broken store degrades, SIGKILL loses no answered row.</summary>
public class LedgerDaemonTests
{
    private static CompleteRequest Hello(int i) => new() { Messages = { new Message { Role = Role.User, Content = "hello " + i } }, TenantId = "t" };

    [Test]
    public async Task Complete_HealthyLedger_RowIsCommittedWhenAnswerArrives()
    {
        await using TestDaemon daemon = await TestDaemon.StartAsync();
        using var client = new CortexLlmClient(daemon.SocketPath);

        CompleteResponse answer = await client.CompleteAsync(Hello(1));

        // Read the file with a fresh connection at once: no waiting, the commit came first.
        using SqliteConnection connection = LedgerSql.Open(Path.Combine(daemon.Directory, "ledger.db"));
        Assert.That(LedgerRows.Read(connection, answer.RequestId)?.Status, Is.EqualTo("OK"));
        Assert.That((await client.CheckHealthAsync(LedgerService.HealthName)).Status, Is.EqualTo(ServingStatus.Serving));
        Assert.That((await client.GetStatsAsync(new GetStatsRequest())).Total.Requests, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Complete_LedgerCannotBeOpened_KeepsAnsweringAndHealthSaysLedgerNotServing()
    {
        string blocked = Path.Combine(TempDirectory.Create(), "not-a-directory");
        await File.WriteAllTextAsync(blocked, "x");
        await using TestDaemon daemon = await TestDaemon.StartAsync(
            new DaemonAppSettings { ConfigureLogging = _ => { }, LedgerPath = Path.Combine(blocked, "ledger.db") });
        using var client = new CortexLlmClient(daemon.SocketPath);

        CompleteResponse[] answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => client.CompleteAsync(Hello(i))));

        Assert.That(answers.Select(a => a.Content), Has.All.Not.Empty);
        Assert.That((await client.CheckHealthAsync(LedgerService.HealthName)).Status, Is.EqualTo(ServingStatus.NotServing));
        Assert.That((await client.CheckHealthAsync(string.Empty)).Status, Is.EqualTo(ServingStatus.Serving), "the daemon itself still serves");
        LedgerHealth health = daemon.App.Services.GetRequiredService<LedgerWriter>().Health;
        Assert.That((health.State, health.Backlog, health.Dropped), Is.EqualTo((LedgerState.Degraded, 5, 0L)));
        await Assert.ThrowsAsync<RpcException>(() => client.GetStatsAsync(new GetStatsRequest()));
        Directory.Delete(Path.GetDirectoryName(blocked)!, recursive: true);
    }

    [Test]
    public async Task Complete_DaemonSigkilledMidway_EveryAnsweredRequestHasItsRow()
    {
        string dir = TempDirectory.Create();
        try
        {
            string socket = Path.Combine(dir, "llmd.sock");
            string ledger = Path.Combine(dir, "ledger.db");
            using DaemonProcess daemon = DaemonProcess.Start(
                new Dictionary<string, string> { ["CORTEX_LLMD_LEDGER__PATH"] = ledger }, "--config", TestDaemon.TestConfigPath, "--socket", socket);
            await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));

            using var client = new CortexLlmClient(socket);
            CallLoad load = CallLoad.Start(client, 16, (w, i) => Hello((w * 10_000) + i));

            await LedgerTestData.WaitUntilAsync(() => load.Answered.Count >= 150, "150 answers", 60_000);
            daemon.Signal(9);
            await load.StopAsync(TimeSpan.FromSeconds(30));
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

            IReadOnlyCollection<string> answered = load.Answered;
            HashSet<string> stored = LedgerTestData.StoredRequestIds(ledger);
            Assert.That(answered, Has.Count.GreaterThanOrEqualTo(150));
            Assert.That(answered.Where(id => !stored.Contains(id)), Is.Empty, "answers whose row was lost by the SIGKILL");
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }
}
