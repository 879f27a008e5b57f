using System.Net.Sockets;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;
using static Cortex.Llmd.Tests.Support.Http2Frames;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Malformed and abusive HTTP/2 from a local peer: the daemon closes or ignores what it must, keeps
/// serving everyone else, and writes no error, no stack trace and no flood of lines for it.
/// </summary>
[NonParallelizable]
public class Http2AbuseTests
{
    private const string Complete = "/cortex.llm.v1.Router/Complete";

    private FuzzedDaemon _daemon = null!;
    private long _baselineKib;

    [OneTimeSetUp]
    public async Task Start()
    {
        _daemon = await FuzzedDaemon.StartAsync();
        // The baseline is a daemon that has served a call and met each abuse once, lightly: the code and
        // pools those paths need are part of a steady daemon, growth beyond them is not.
        await _daemon.AssertServingAsync("start");
        foreach ((_, Func<Random, IEnumerable<byte[]>> frames, bool sendPreface) in Abuses(floods: 2_000))
        {
            await AbuseAsync(frames(new Random(1)), sendPreface);
        }

        await Task.Delay(IdleMemoryTrimmer.Interval * 3);
        _baselineKib = _daemon.RssKib();
    }

    [OneTimeTearDown]
    public void Stop() => _daemon.Dispose();

    private static IEnumerable<(string Name, Func<Random, IEnumerable<byte[]>> Frames, bool SendPreface)> Abuses(int floods)
    {
        yield return ("bad preface", _ => [System.Text.Encoding.ASCII.GetBytes("PRI * HTTP/1.1\r\n\r\nXX\r\n\r\n")], false);
        yield return ("random frames", RandomFrames, true);
        yield return ("huge header block", HugeHeaderBlock, true);
        yield return ("CONTINUATION flood", _ => ContinuationFlood(floods / 2), true);
        yield return ("rapid reset", _ => RapidReset(floods / 10), true);
        yield return ("PING flood", _ => Repeat(floods, () => Frame(Ping, 0, 0, "12345678"u8)), true);
        yield return ("SETTINGS flood", _ => Repeat(floods, () => Frame(Settings, 0, 0, [0, 3, 0, 0, 0, 100])), true);
        yield return ("window overflow", WindowOverflow, true);
        yield return ("DATA on an unopened stream", _ => [Frame(Data, EndStream, 7, new byte[64])], true);
    }

    /// <summary>
    /// One test over every abuse in turn, so the memory check at the end sees them all. Each abuse runs on
    /// a few connections; after each, the daemon must answer Health and have logged next to nothing.
    /// </summary>
    [Test]
    public async Task Connection_EveryAbuse_KeepsServingQuietlyAndReturnsMemory()
    {
        var random = new Random(7);
        foreach ((string name, Func<Random, IEnumerable<byte[]>> frames, bool sendPreface) in Abuses(floods: ReliabilityScale.Of(100_000)))
        {
            int logMark = _daemon.LogLength;
            for (int connection = 0; connection < ReliabilityScale.Of(3); connection++)
            {
                await AbuseAsync(frames(random), sendPreface);
            }

            await _daemon.AssertServingAsync(name);
            // Kestrel's answer to a flood is one warning per connection (CallerNoise); nothing else is
            // logged at this level.
            _daemon.AssertQuietLog(logMark, maxLines: ReliabilityScale.Of(3), after: name);
            TestContext.Out.WriteLine($"{name}: RSS {_daemon.RssKib()} KiB");
        }

        long limit = _baselineKib * 12 / 10;
        long rss = _daemon.RssKib();
        for (int i = 0; i < 40 && rss > limit; i++)
        {
            await Task.Delay(500);
            rss = _daemon.RssKib();
        }

        Assert.That(rss, Is.LessThanOrEqualTo(limit), $"RSS grew from {_baselineKib} KiB to {rss} KiB");
        TestContext.Out.WriteLine($"RSS: {_baselineKib} KiB before the abuses, {rss} KiB after");
    }

    /// <summary>Writes until everything is sent or the daemon closes the connection; reads nothing, so floods queue up.</summary>
    private async Task AbuseAsync(IEnumerable<byte[]> frames, bool sendPreface)
    {
        using Socket socket = sendPreface ? await ConnectAsync(_daemon.SocketPath) : await ConnectRawAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            foreach (byte[] frame in frames)
            {
                await socket.SendAsync(frame, SocketFlags.None, deadline.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
            byte[] sink = new byte[16 * 1024];
            while (await socket.ReceiveAsync(sink, SocketFlags.None, deadline.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // Closed or reset by the daemon: the expected end of an abusive connection.
        }
    }

    private async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_daemon.SocketPath));
        return socket;
    }

    private static IEnumerable<byte[]> Repeat(int count, Func<byte[]> frame)
    {
        // Sent in batches: one syscall per 8-byte frame would make the flood a test of the test.
        const int Batch = 512;
        byte[] one = frame();
        for (int sent = 0; sent < count; sent += Batch)
        {
            yield return [.. Enumerable.Repeat(one, Math.Min(Batch, count - sent)).SelectMany(f => f)];
        }
    }

    private static IEnumerable<byte[]> RandomFrames(Random random)
    {
        for (int i = 0; i < 200; i++)
        {
            byte[] payload = new byte[random.Next(0, 64)];
            random.NextBytes(payload);
            yield return Frame((byte)random.Next(0, 12), (byte)random.Next(256), random.Next(0, 8), payload);
        }
    }

    private static IEnumerable<byte[]> HugeHeaderBlock(Random random)
    {
        // 1 MiB of header fields in one block: far past Kestrel's header limits.
        byte[] field = Literal("x-pad", new string('a', 8000));
        yield return Frame(Headers, 0, 1, RequestHeaderBlock(Complete));
        for (int i = 0; i < 128; i++)
        {
            yield return Frame(Continuation, i == 127 ? EndHeaders : (byte)0, 1, field);
        }
    }

    private static IEnumerable<byte[]> ContinuationFlood(int count)
    {
        yield return Frame(Headers, 0, 1, RequestHeaderBlock(Complete));
        byte[] tiny = Frame(Continuation, 0, 1, [0x00]);
        foreach (byte[] batch in Repeat(count, () => tiny))
        {
            yield return batch;
        }
    }

    private static IEnumerable<byte[]> RapidReset(int streams)
    {
        // CVE-2023-44487: open a stream and cancel it at once, thousands of times.
        byte[] block = RequestHeaderBlock(Complete, ("grpc-timeout", "5S"));
        for (int stream = 1; stream < streams * 2; stream += 2)
        {
            yield return [.. Frame(Headers, EndHeaders, stream, block), .. Frame(RstStream, 0, stream, UInt32Payload(8))];
        }
    }

    private static IEnumerable<byte[]> WindowOverflow(Random random)
    {
        // The connection window and one stream's window pushed past 2^31-1 (a FLOW_CONTROL_ERROR).
        yield return Frame(Headers, EndHeaders, 1, RequestHeaderBlock(Complete));
        yield return Frame(WindowUpdate, 0, 1, UInt32Payload(int.MaxValue));
        yield return Frame(WindowUpdate, 0, 1, UInt32Payload(int.MaxValue));
        yield return Frame(WindowUpdate, 0, 0, UInt32Payload(int.MaxValue));
        yield return Frame(WindowUpdate, 0, 0, UInt32Payload(int.MaxValue));
    }
}
