using System.Diagnostics;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Tests.Ledger;

/// <summary>
/// The ledger on a real small filesystem (a tmpfs mounted for the test): a full disk and a read-only
/// remount each leave the daemon answering with the ledger degraded, and recovery flushes the backlog.
/// These need root (to mount); without it they fail with the reason rather than pass.
/// </summary>
[NonParallelizable]
public class LedgerFilesystemTests
{
    private string _mount = null!;

    [SetUp]
    public void Mount()
    {
        _mount = TempDirectory.Create();
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", _mount);
    }

    [TearDown]
    public void Unmount()
    {
        Run("umount", "-l", _mount);
        TempDirectory.Delete(_mount);
    }

    private static CompleteRequest Hello(int i) => new() { Messages = { new Message { Role = Role.User, Content = "disk " + i } } };

    [Test]
    public async Task Complete_DiskFullThenFreed_DegradesThenFlushesBacklog()
    {
        await using TestDaemon daemon = await TestDaemon.StartAsync(new DaemonAppSettings { ConfigureLogging = _ => { }, LedgerPath = Path.Combine(_mount, "ledger.db") });
        using var client = new CortexLlmClient(daemon.SocketPath);
        await client.CompleteAsync(Hello(0));
        string filler = Path.Combine(_mount, "filler");
        FillDisk(filler);

        CompleteResponse[] answers = await Task.WhenAll(Enumerable.Range(1, 40).Select(i => client.CompleteAsync(Hello(i))));

        LedgerWriter writer = daemon.App.Services.GetRequiredService<LedgerWriter>();
        Assert.That(answers.Select(a => a.Content), Has.All.Not.Empty, "answers keep coming while the disk is full");
        Assert.That(writer.Health.State, Is.EqualTo(LedgerState.Degraded));
        Assert.That((await client.CheckHealthAsync(LedgerService.HealthName)).Status, Is.EqualTo(ServingStatus.NotServing));

        File.Delete(filler);
        await WaitUntil(() => writer.Health.IsHealthy && writer.Health.Backlog == 0, TimeSpan.FromSeconds(30));
        Assert.That(CountRows(Path.Combine(_mount, "ledger.db")), Is.EqualTo(41), "every buffered row reached the disk after recovery");
    }

    [Test]
    public async Task Complete_LedgerOnReadOnlyMount_KeepsServingDegraded()
    {
        // A valid ledger, then seen through a read-only bind mount: the file exists but cannot be written.
        string source = Path.Combine(_mount, "rw");
        string view = Path.Combine(_mount, "ro");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(view);
        LedgerStore.Open(Path.Combine(source, "ledger.db"), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Dispose();
        Run("mount", "--bind", source, view);
        Run("mount", "-o", "remount,ro,bind", view);
        try
        {
            await using TestDaemon daemon = await TestDaemon.StartAsync(new DaemonAppSettings { ConfigureLogging = _ => { }, LedgerPath = Path.Combine(view, "ledger.db") });
            using var client = new CortexLlmClient(daemon.SocketPath);

            CompleteResponse[] answers = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => client.CompleteAsync(Hello(i))));

            Assert.That(answers.Select(a => a.Content), Has.All.Not.Empty);
            LedgerHealth health = daemon.App.Services.GetRequiredService<LedgerWriter>().Health;
            Assert.That(health.State, Is.EqualTo(LedgerState.Degraded));
            Assert.That(health.Backlog, Is.EqualTo(10));
            Assert.That((await client.CheckHealthAsync(LedgerService.HealthName)).Status, Is.EqualTo(ServingStatus.NotServing));
            Assert.That((await client.CheckHealthAsync(string.Empty)).Status, Is.EqualTo(ServingStatus.Serving));
        }
        finally
        {
            Run("umount", "-l", view);
        }
    }

    private static void FillDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Create);
        byte[] block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // ENOSPC: the filesystem is full, which is the point.
        }
    }

    private static long CountRows(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM requests";
        return (long)command.ExecuteScalar()!;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(watch.Elapsed, Is.LessThan(timeout), "condition not reached in time");
            await Task.Delay(100);
        }
    }

    private static void Run(string file, params string[] args)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)} failed (these tests need root to mount a tmpfs): {error}");
    }
}
