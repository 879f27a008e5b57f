using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Raw HTTP/1.1 on the door's socket: header bytes no client library sends, and connections that break
/// the protocol (a garbage request line, oversize headers, bodies longer or shorter than declared, bad
/// or endless chunks). Kestrel refuses what is not HTTP (4xx, or it closes), the door answers the rest
/// as any request, and both doors keep serving.
/// </summary>
public partial class OpenAiDoorFuzzTests
{
    private const string ChatLine = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n";

    private static readonly byte[] ValidBody = DoorFuzzInputs.Utf8(DoorFuzzInputs.Seeds[0]);

    private static readonly string[] DoorHeaders = ["x-cortex-tenant", "x-cortex-task", "x-cortex-label-x", "x-cortex-request-id", "x-cortex-timeout-ms", "X-CORTEX-TENANT"];

    [Test]
    public async Task Door_RawHeaderBytes_KestrelRefusesOrTheDoorAnswers()
    {
        var random = new Random(20261214);
        int logMark = _daemon.LogLength;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var problems = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<string, int>();
        byte[][] requests = [.. Enumerable.Range(0, ReliabilityScale.Of(300)).Select(_ => WithOddHeader(random))];
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (request, _) =>
        {
            RawHttpAnswer? answer = await RawHttp1.ExchangeAsync(Door, request, TimeSpan.FromSeconds(20));
            statuses.AddOrUpdate(Outcome(answer), 1, (_, n) => n + 1);
            if (Judge(answer, [.. DoorAnswerCheck.Documented, .. DoorAnswerCheck.KestrelRefusals]) is { } problem)
            {
                problems.Enqueue($"{DoorAnswerCheck.Shown(request, 400)} -> {problem}");
            }
        });

        TestContext.Out.WriteLine($"{requests.Length} requests in {watch.Elapsed.TotalSeconds:F1} s; {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}");
        await AssertBothDoorsServeAsync("odd header bytes");
        Assert.That(problems, Is.Empty, $"{problems.Count} answers were wrong; first ones:\n{string.Join('\n', problems.Take(10))}");
        _daemon.AssertQuietLog(logMark, MaxLogLines(watch.Elapsed), "odd header bytes");
    }

    private sealed record Abuse(string Name, Func<Random, Task<string?>> Run);

    /// <summary>Each abuse on a few connections, then both doors must serve and the log must hold at most a line per connection.</summary>
    [Test]
    public async Task Door_Http1Abuse_AnswersOrClosesAndKeepsServing()
    {
        var random = new Random(20261215);
        int connections = ReliabilityScale.Of(3);
        var problems = new List<string>();
        foreach (Abuse abuse in Abuses())
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int logMark = _daemon.LogLength;
            for (int i = 0; i < connections; i++)
            {
                if (await abuse.Run(random) is { } problem)
                {
                    problems.Add($"{abuse.Name}: {problem}");
                }
            }

            await AssertBothDoorsServeAsync(abuse.Name);
            _daemon.AssertQuietLog(logMark, maxLines: connections, after: abuse.Name);
            TestContext.Out.WriteLine($"{abuse.Name}: {watch.Elapsed.TotalSeconds:F1} s");
        }

        Assert.That(problems, Is.Empty, string.Join('\n', problems));
    }

    private IEnumerable<Abuse> Abuses()
    {
        string close = "Connection: close\r\n";
        yield return new("garbage request line", r => ExpectAsync([.. Noise(r), .. "\r\n\r\n"u8], 400));
        yield return new("request line over 8 KiB", _ => ExpectAsync(Ascii($"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n"), 414, 400));
        yield return new("header block over 32 KiB", _ => ExpectAsync(Ascii(ChatLine + close + string.Concat(Enumerable.Range(0, 8).Select(i => $"x-pad-{i}: {new string('a', 8000)}\r\n")) + "\r\n"), 431, 400));
        yield return new("101 headers", _ => ExpectAsync(Ascii(ChatLine + close + string.Concat(Enumerable.Range(0, 101).Select(i => $"x-h{i}: v\r\n")) + "\r\n"), 431, 400));
        yield return new("invalid Content-Length", _ => ExpectAsync(Ascii(ChatLine + close + "Content-Length: 12abc\r\n\r\n{}"), 400));
        yield return new("Content-Length and chunked at once", _ => ExpectAsync([.. Ascii(ChatLine + close + $"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n{ValidBody.Length:x}\r\n"), .. ValidBody, .. "\r\n0\r\n\r\n"u8], 200, 400));
        yield return new("declared body over maxRequestBytes", _ => ExpectAnswerAsync(Ascii(ChatLine + close + "Content-Length: 5000000\r\n\r\n{\"model\":"), 413));
        yield return new("body longer than Content-Length", _ => LongerThanDeclaredAsync());
        yield return new("body shorter than Content-Length, then closed", _ => ClosedMidBodyAsync(Ascii(ChatLine + $"Content-Length: {ValidBody.Length + 100}\r\n\r\n"), ValidBody));
        yield return new("chunked body closed mid-chunk", _ => ClosedMidBodyAsync(Ascii(ChatLine + "Transfer-Encoding: chunked\r\n\r\n400\r\n"), ValidBody));
        yield return new("bad chunk size", _ => ExpectAsync([.. Ascii(ChatLine + close + "Transfer-Encoding: chunked\r\n\r\nzz\r\n"), .. ValidBody, .. "\r\n0\r\n\r\n"u8], 400));
        yield return new("chunk size past 2^64", _ => ExpectAsync([.. Ascii(ChatLine + close + "Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n"), .. ValidBody], 400));
        yield return new("chunked body that never ends", _ => EndlessChunksAsync());
        yield return new("chunked body that stalls", _ => StalledChunksAsync());
    }

    /// <summary>"closed", the status and who answered it (Kestrel bare, the door with a type), for the test's output.</summary>
    private static string Outcome(RawHttpAnswer? answer) =>
        answer is null ? "closed" : answer.Status + (answer.Header("content-type") is null ? " bare" : " door");

    /// <summary>Null when the daemon closed without an answer (if <paramref name="closeAllowed"/>) or answered one of <paramref name="allowed"/> soundly.</summary>
    private static string? Judge(RawHttpAnswer? answer, int[] allowed, bool closeAllowed = true)
    {
        if (answer is null)
        {
            return closeAllowed ? null : "closed without the answer it must give";
        }

        if (answer.Status < 0)
        {
            return "bytes that are no HTTP response: " + DoorAnswerCheck.Shown(answer.Body);
        }

        if (!allowed.Contains(answer.Status))
        {
            return $"status {answer.Status} (expected {string.Join(" or ", allowed)}, or a close): {DoorAnswerCheck.Shown(answer.Body)}";
        }

        string? type = answer.Header("content-type")?.Split(';')[0].Trim();
        return DoorAnswerCheck.Problem(answer.Status, type, answer.Body, answer.HeaderBytes, bodyless: false);
    }

    private async Task<string?> ExpectAsync(byte[] request, params int[] allowed) =>
        Judge(Shown(await RawHttp1.ExchangeAsync(Door, request, TimeSpan.FromSeconds(10))), allowed);

    private async Task<string?> ExpectAnswerAsync(byte[] request, int status) =>
        Judge(Shown(await RawHttp1.ExchangeAsync(Door, request, TimeSpan.FromSeconds(10))), [status], closeAllowed: false);

    /// <summary>The answer, its outcome written to the test's output first.</summary>
    private static RawHttpAnswer? Shown(RawHttpAnswer? answer)
    {
        TestContext.Out.Write($"[{Outcome(answer)}] ");
        return answer;
    }

    /// <summary>A whole request, then bytes beyond its Content-Length: they are the next request on the connection, which Kestrel refuses.</summary>
    private async Task<string?> LongerThanDeclaredAsync()
    {
        byte[] request = [.. Ascii(ChatLine + $"Content-Type: application/json\r\nContent-Length: {ValidBody.Length}\r\n\r\n"), .. ValidBody, .. "{\"more\":\"than declared\"}\r\n\r\n"u8];
        using Socket socket = await RawHttp1.ConnectAsync(Door);
        await socket.SendAsync(request);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[] received = await RawHttp1.ReadToEndAsync(socket, deadline.Token);
        if (Judge(Shown(RawHttp1.Parse(received)), [200]) is { } problem)
        {
            return "the declared request: " + problem;
        }

        return received.AsSpan().IndexOf("HTTP/1.1 5"u8) >= 0 ? "a 5xx for the bytes after it: " + DoorAnswerCheck.Shown(received, 2000) : null;
    }

    /// <summary>Headers and part of the body, then the caller goes away: nobody to answer, nothing to log.</summary>
    private async Task<string?> ClosedMidBodyAsync(byte[] head, byte[] part)
    {
        using (Socket socket = await RawHttp1.ConnectAsync(Door))
        {
            await socket.SendAsync(head);
            await socket.SendAsync(part.AsMemory(0, part.Length / 2));
            await Task.Delay(50);
        }

        // The door must have let go of that request by itself: give its log a moment to show otherwise.
        await Task.Delay(200);
        return null;
    }

    /// <summary>Chunks well past openai.maxRequestBytes (4 MiB): the door stops it with 413 as soon as it passes the limit, or Kestrel closes.</summary>
    private async Task<string?> EndlessChunksAsync()
    {
        using Socket socket = await RawHttp1.ConnectAsync(Door);
        await socket.SendAsync(Ascii(ChatLine + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"));
        byte[] chunk = [.. Ascii("10000\r\n"), .. Enumerable.Repeat((byte)' ', 0x10000), .. "\r\n"u8];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            for (int sent = 0; sent < 6 * 1024 * 1024 && socket.Available == 0; sent += 0x10000)
            {
                await socket.SendAsync(chunk, SocketFlags.None, deadline.Token);
            }
        }
        catch (SocketException)
        {
            // Closed by the daemon while sending: it may still have answered first.
        }

        return Judge(Shown(RawHttp1.Parse(await RawHttp1.ReadToEndAsync(socket, deadline.Token))), [413]);
    }

    /// <summary>A chunked body that stops arriving: the request waits, and meanwhile the door serves others; then the caller leaves.</summary>
    private async Task<string?> StalledChunksAsync()
    {
        using Socket socket = await RawHttp1.ConnectAsync(Door);
        await socket.SendAsync(Ascii(ChatLine + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"mod\r\n"));
        await AssertBothDoorsServeAsync("a stalled chunked body on another connection");
        return socket.Available > 0 ? "an answer to a body that has not ended: " + DoorAnswerCheck.Shown(await ReceiveSomeAsync(socket)) : null;
    }

    private static async Task<byte[]> ReceiveSomeAsync(Socket socket)
    {
        byte[] buffer = new byte[4096];
        int n = await socket.ReceiveAsync(buffer);
        return buffer[..n];
    }

    /// <summary>
    /// A chat request with header lines no client library would write: half of them well formed, for the
    /// door to judge (any printable value, or one name on two lines), the rest for Kestrel to refuse
    /// (bytes outside ASCII, control characters, folded lines, broken names, bare LF).
    /// </summary>
    private static byte[] WithOddHeader(Random random)
    {
        string name = DoorHeaders[random.Next(DoorHeaders.Length)];
        byte[] printable = Ascii(string.Concat(Enumerable.Range(0, (int)Math.Pow(10, random.NextDouble() * 3.5)).Select(_ => (char)random.Next(' ', '~' + 1))));
        byte[] value = [.. Noise(random, printable: random.Next(2) == 0)];
        byte[] line = random.Next(10) switch
        {
            < 4 => [.. Ascii(name + ": "), .. printable],
            4 => [.. Ascii(name + ": "), .. printable, .. Ascii($"\r\n{name}: "), .. printable],
            5 => [.. Ascii(name + ": "), .. value],
            6 => [.. "x-cortex-task: a\r\n "u8, .. value],
            7 => [.. "x-cortex-request-id "u8, .. value],
            8 => random.Next(2) == 0 ? [.. "x-cortex-tenant : "u8, .. value] : [.. "x-cortex-label-"u8, .. value, .. ": v"u8],
            _ => [.. "x-cortex-timeout-ms: 5\n"u8, .. value],
        };
        return [.. Ascii(ChatLine + $"Connection: close\r\nContent-Type: application/json\r\nContent-Length: {ValidBody.Length}\r\n"), .. line, .. "\r\n\r\n"u8, .. ValidBody];
    }

    /// <summary>1 to 200 random bytes without CR or LF, or (printable) Latin-1 and UTF-8 letters with the odd control character.</summary>
    private static byte[] Noise(Random random, bool printable = false)
    {
        byte[] noise = new byte[random.Next(1, 200)];
        random.NextBytes(noise);
        for (int i = 0; i < noise.Length; i++)
        {
            if (printable && noise[i] < 0x20 && random.Next(8) != 0)
            {
                noise[i] = (byte)(noise[i] + 0x41);
            }

            if (noise[i] is (byte)'\r' or (byte)'\n')
            {
                noise[i] = (byte)'.';
            }
        }

        return printable && random.Next(3) == 0 ? Encoding.UTF8.GetBytes("é€\U0001F600" + Encoding.Latin1.GetString(noise)) : noise;
    }
}
