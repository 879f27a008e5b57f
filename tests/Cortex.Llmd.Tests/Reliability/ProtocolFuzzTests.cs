using System.Collections.Concurrent;
using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Random and mutated request messages to every method the daemon serves. Whatever the bytes, the answer
/// is a status that blames the caller (or the call's own outcome), never UNKNOWN; the daemon keeps
/// serving, its memory comes back, and its log stays quiet.
/// </summary>
[NonParallelizable]
public class ProtocolFuzzTests
{
    private const int Concurrency = 8;

    private FuzzedDaemon _daemon = null!;

    [OneTimeSetUp]
    public async Task Start() => _daemon = await FuzzedDaemon.StartAsync();

    [OneTimeTearDown]
    public void Stop() => _daemon.Dispose();

    /// <summary>Each method with a valid request to mutate from.</summary>
    private static readonly (string Path, byte[] Seed)[] Methods =
    [
        ("/cortex.llm.v1.Router/Complete", Ask().ToByteArray()),
        ("/cortex.llm.v1.Router/StreamComplete", Ask().ToByteArray()),
        ("/cortex.llm.v1.Router/Route", Ask().ToByteArray()),
        ("/cortex.llm.v1.Router/GetStats", new GetStatsRequest { GroupBy = GroupBy.Provider, Filter = new StatsFilter { Provider = "mock", CallerUid = 0 } }.ToByteArray()),
        ("/cortex.llm.v1.Router/ResetStats", new ResetStatsRequest().ToByteArray()),
        ("/cortex.llm.v1.Router/ListProviders", new ListProvidersRequest().ToByteArray()),
        ("/cortex.llm.v1.Router/WatchEvents", new WatchEventsRequest { Kinds = { EventKind.RequestFinished } }.ToByteArray()),
        ("/grpc.health.v1.Health/Check", new HealthCheckRequest { Service = "cortex.llm.v1.Router" }.ToByteArray()),
        ("/grpc.health.v1.Health/Watch", new HealthCheckRequest { Service = string.Empty }.ToByteArray()),
        // ServerReflectionRequest { host = "x", list_services = "*" }, written out: the test does not
        // need the reflection types to send it.
        ("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", [0x0a, 0x01, (byte)'x', 0x3a, 0x01, (byte)'*']),
        ("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", [0x0a, 0x01, (byte)'x', 0x3a, 0x01, (byte)'*']),
    ];

    [Test]
    public async Task EveryMethod_RandomAndMutatedMessages_NeverUnknownAndKeepsServing()
    {
        int perMethod = ReliabilityScale.Of(10_000) / Methods.Length;
        var random = new Random(20261202);
        using var client = new RawGrpcClient(_daemon.SocketPath);

        // Warm up with a tenth of the load, so the baseline already holds the pools and JIT code a
        // steady daemon has; growth beyond it would be a leak.
        foreach ((string path, byte[] seed) in Methods)
        {
            await SendAllAsync(client, path, Bodies(seed, perMethod / 10, random));
        }

        long baselineKib = _daemon.RssKib();
        int logMark = _daemon.LogLength;
        var unknown = new ConcurrentBag<string>();
        foreach ((string path, byte[] seed) in Methods)
        {
            foreach (string failure in await SendAllAsync(client, path, Bodies(seed, perMethod, random)))
            {
                unknown.Add(failure);
            }

            await _daemon.AssertServingAsync($"{perMethod} messages to {path}");
        }

        Assert.That(unknown, Is.Empty, $"{unknown.Count} calls were not answered with a proper status; first ones:\n{string.Join('\n', unknown.Take(10))}");
        long afterKib = await SettledRssKibAsync(baselineKib);
        Assert.That(afterKib, Is.LessThanOrEqualTo(baselineKib * 12 / 10), $"RSS grew from {baselineKib} KiB to {afterKib} KiB");
        // Bodies that parse are real calls (a few fail on purpose, each an information line); caller
        // noise itself (resets, unparsable bytes) writes nothing at this level.
        _daemon.AssertQuietLog(logMark, maxLines: 200, after: "the message fuzz");
    }

    private static CompleteRequest Ask() => new()
    {
        Route = "default",
        Messages = { new Message { Role = Role.User, Content = "fuzz" } },
        MaxTokens = 16,
    };

    /// <summary>
    /// Random bytes, and the seed mutated: bits flipped, cut short, bytes inserted, dropped, repeated or
    /// replaced by varint continuation runs (0xff), which make lengths and tags huge.
    /// </summary>
    internal static IEnumerable<byte[]> Bodies(byte[] seed, int count, Random random)
    {
        for (int i = 0; i < count; i++)
        {
            var body = new List<byte>(seed);
            switch (i % 6)
            {
                case 0:
                    byte[] noise = new byte[random.Next(0, 48)];
                    random.NextBytes(noise);
                    yield return noise;
                    continue;
                case 1:
                    for (int flips = random.Next(1, 4); flips > 0 && body.Count > 0; flips--)
                    {
                        int at = random.Next(body.Count);
                        body[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 2:
                    int cut = random.Next(body.Count + 1);
                    body.RemoveRange(cut, body.Count - cut);
                    break;
                case 3:
                    body.Insert(random.Next(body.Count + 1), (byte)random.Next(256));
                    break;
                case 4:
                    if (body.Count > 0)
                    {
                        int start = random.Next(body.Count);
                        body.InsertRange(start, body.GetRange(start, Math.Min(random.Next(1, 8), body.Count - start)));
                    }

                    break;
                default:
                    int run = random.Next(1, 11);
                    int where = random.Next(body.Count + 1);
                    body.InsertRange(where, Enumerable.Repeat((byte)0xff, run));
                    break;
            }

            yield return [.. body];
        }
    }

    /// <summary>Sends every body; returns a line for each call answered UNKNOWN or not answered with a status.</summary>
    private static async Task<List<string>> SendAllAsync(RawGrpcClient client, string path, IEnumerable<byte[]> bodies)
    {
        var failures = new ConcurrentBag<string>();
        // Streams that parse would run until their deadline: a short one keeps the fuzz fast.
        KeyValuePair<string, string>[] headers = [new("grpc-timeout", "100m")];
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (body, _) =>
        {
            RawResponse response = await client.SendAsync(path, RawGrpcClient.Frame(body), headers: headers);
            if (response.Status is null or StatusCode.Unknown)
            {
                failures.Add($"{path} {Convert.ToHexString(body)} -> {response.Status?.ToString() ?? "no status"} {response.Message}");
            }
        });
        return [.. failures];
    }

    /// <summary>RSS once the daemon had a moment to return memory (polls up to 10 s, then takes what it is).</summary>
    private async Task<long> SettledRssKibAsync(long baselineKib)
    {
        long rss = _daemon.RssKib();
        for (int i = 0; i < 20 && rss > baselineKib * 12 / 10; i++)
        {
            await Task.Delay(500);
            rss = _daemon.RssKib();
        }

        return rss;
    }
}
