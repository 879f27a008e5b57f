using Cortex.Llmd.Health;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Model;
using Cortex.Llmd.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cortex.Llmd.Tests.Ledger;

public class LedgerBreakerStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TargetRef Target = new("p", "m");
    private string _dir = string.Empty;

    [SetUp]
    public void SetUp() => _dir = TempDirectory.Create();

    [TearDown]
    public void TearDown() => TempDirectory.Delete(_dir);

    [Test]
    public async Task Save_BucketedSamples_LoadBackEqual()
    {
        await using LedgerWriter writer = Started();
        var store = new LedgerBreakerStore(writer);
        var snapshot = new BreakerSnapshot(BreakerState.Open, T0, T0, T0.AddMinutes(1), [new BreakerSample(T0, 120, 7), new BreakerSample(T0.AddSeconds(6), 0, 3)], "why");

        store.Save(Target, snapshot);
        BreakerSnapshot loaded = store.LoadAll()[Target];

        Assert.That(loaded.Samples, Is.EqualTo(snapshot.Samples));
        Assert.That(loaded with { Samples = snapshot.Samples }, Is.EqualTo(snapshot));
    }

    [Test]
    public async Task LoadAll_SamplesWrittenOnePerCall_ReadAsSingleCallBuckets()
    {
        await using LedgerWriter writer = Started();
        var store = new LedgerBreakerStore(writer);
        store.Save(Target, CircuitBreaker.Fresh(T0));
        using (SqliteConnection connection = writer.OpenConnection())
        using (SqliteCommand update = connection.CreateCommand())
        {
            long ms = T0.ToUnixTimeMilliseconds();
            update.CommandText = $"UPDATE breakers SET samples = '{ms}:1,{ms + 5}:0,garbage,{ms + 9}:x:1'";
            update.ExecuteNonQuery();
        }

        IReadOnlyList<BreakerSample> samples = store.LoadAll()[Target].Samples;

        Assert.That(samples, Is.EqualTo(new[] { new BreakerSample(T0, 1, 0), new BreakerSample(T0.AddMilliseconds(5), 0, 1) }));
    }

    private LedgerWriter Started()
    {
        var writer = new LedgerWriter(Path.Combine(_dir, "ledger.db"), new LedgerOptions(), TimeProvider.System, NullLogger.Instance);
        writer.Start();
        return writer;
    }
}
