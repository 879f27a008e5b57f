using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Cortex.Llmd.Tests.OpenAi;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Random and mutated requests to the OpenAI-compatible door over HTTP/1.1 on its Unix socket: broken
/// bodies, odd headers, paths, methods and content types, then raw bytes HttpClient would not send
/// (OpenAiDoorFuzzTests.Abuse.cs). Whatever arrives, the answer is a status the door documents (never
/// 500) with OpenAI's error object and a bounded message; the daemon keeps serving both doors, and its
/// log has no error line and no stack trace.
/// </summary>
[NonParallelizable]
public partial class OpenAiDoorFuzzTests
{
    private const int Concurrency = 8;

    private FuzzedDaemon _daemon = null!;
    private HttpClient _client = null!;

    private string Door => _daemon.DoorSocketPath!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _daemon = await FuzzedDaemon.StartAsync(openAiDoor: true);
        _client = OpenAiDoorClient.OverSocket(Door);
        _client.Timeout = TimeSpan.FromSeconds(30);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _daemon.Dispose();
    }

    /// <summary>One request as the fuzz sends it through HttpClient.</summary>
    private sealed record FuzzRequest(string Method, string Path, byte[]? Body, string? ContentType, List<(string Name, string Value)> Headers, bool Chunked)
    {
        public static FuzzRequest Post(byte[] body) => new("POST", "/v1/chat/completions", body, "application/json", [], Chunked: false);

        public override string ToString() =>
            $"{Method} {Path} [{ContentType}{(Chunked ? ", chunked" : string.Empty)}] {string.Join(' ', Headers.Select(h => $"{h.Name}: {Quote(h.Value)}"))} " +
            (Body is null ? "(no body)" : DoorAnswerCheck.Shown(Body, 200));

        private static string Quote(string value) => value.Length > 40 ? value[..40] + $"...({value.Length})" : value;
    }

    [Test]
    public async Task ChatCompletions_MutatedBodies_NeverServerErrorAndKeepsServing()
    {
        var inputs = new DoorFuzzInputs(new Random(20261212));
        int count = ReliabilityScale.Of(2_400);
        (string Name, IEnumerable<byte[]> Bodies)[] batches =
        [
            ("byte mutations", inputs.ByteMutations(count * 2 / 5)),
            ("fields of the wrong type", inputs.WrongTypes(count * 2 / 5)),
            ("extremes", inputs.Extremes(count / 5)),
        ];

        await FuzzAsync(batches.Select(b => (b.Name, b.Bodies.Select(FuzzRequest.Post))));
    }

    [Test]
    public async Task Door_RandomMethodsPathsHeadersAndContentTypes_NeverServerErrorAndKeepsServing()
    {
        var random = new Random(20261213);
        var inputs = new DoorFuzzInputs(random);
        var envelope = new DoorFuzzEnvelope(random);
        int count = ReliabilityScale.Of(1_200);
        IEnumerable<FuzzRequest> Requests(Func<FuzzRequest> next) => Enumerable.Range(0, count / 3).Select(_ => next());
        byte[] Body() => random.Next(4) == 0 ? inputs.WrongTypes(1).First() : DoorFuzzInputs.Utf8(inputs.Seed());
        (string, IEnumerable<FuzzRequest>)[] batches =
        [
            ("x-cortex-* headers", Requests(() => FuzzRequest.Post(Body()) with { Headers = envelope.Headers() })),
            ("methods and paths", Requests(() => new FuzzRequest(envelope.Method(), envelope.Path(), random.Next(3) == 0 ? null : Body(), "application/json", [], Chunked: false))),
            ("content types and chunked bodies", Requests(() => FuzzRequest.Post(Body()) with { ContentType = envelope.ContentType(), Chunked = random.Next(2) == 0 })),
        ];

        await FuzzAsync(batches);
    }

    /// <summary>Sends each batch (eight at a time), checks the daemon after each, then that nothing failed and the log stayed quiet.</summary>
    private async Task FuzzAsync(IEnumerable<(string Name, IEnumerable<FuzzRequest> Requests)> batches)
    {
        int logMark = _daemon.LogLength;
        var watch = Stopwatch.StartNew();
        var problems = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        foreach ((string name, IEnumerable<FuzzRequest> requests) in batches)
        {
            var batchWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (request, _) =>
            {
                (int status, string? problem) = await SendAsync(request);
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (problem is not null)
                {
                    problems.Enqueue(problem);
                }
            });
            TestContext.Out.WriteLine($"{name}: {batchWatch.Elapsed.TotalSeconds:F1} s");
            await AssertBothDoorsServeAsync(name);
        }

        int sent = statuses.Values.Sum();
        TestContext.Out.WriteLine($"{sent} requests in {watch.Elapsed.TotalSeconds:F1} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}");
        Assert.That(problems, Is.Empty, $"{problems.Count} of {sent} answers were wrong; first ones:\n{string.Join('\n', problems.Take(10))}");
        _daemon.AssertQuietLog(logMark, maxLines: MaxLogLines(watch.Elapsed), after: "the door fuzz");
    }

    /// <summary>
    /// Each rejected body is an information line (events 360 and 300), held to the line budget: a
    /// burst of 20, then one a second, per event, and a note of what was cut.
    /// </summary>
    private static int MaxLogLines(TimeSpan elapsed) => 4 * (20 + (2 * (int)Math.Ceiling(elapsed.TotalSeconds)));

    /// <summary>The status (-1 for none) and what is wrong with the answer, if anything.</summary>
    private async Task<(int Status, string? Problem)> SendAsync(FuzzRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.TrimStart('/'));
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        foreach ((string name, string value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        message.Headers.TransferEncodingChunked = request.Chunked ? true : null;
        try
        {
            using HttpResponseMessage response = await _client.SendAsync(message);
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            int headerBytes = response.Headers.Concat(response.Content.Headers).Sum(h => h.Key.Length + h.Value.Sum(v => v.Length + 2));
            string? problem = DoorAnswerCheck.Problem(
                (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, headerBytes, bodyless: request.Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase));
            return ((int)response.StatusCode, problem is null ? null : $"{request} -> {problem}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (-1, $"{request} -> no answer: {ex.GetType().Name} {ex.Message}");
        }
    }

    /// <summary>The process is alive, gRPC Health says SERVING, and a new connection to the door gets an answer.</summary>
    private async Task AssertBothDoorsServeAsync(string after)
    {
        await _daemon.AssertServingAsync(after);
        using HttpClient fresh = OpenAiDoorClient.OverSocket(Door);
        fresh.Timeout = TimeSpan.FromSeconds(10);
        using HttpResponseMessage response = await fresh.PostAsync("v1/chat/completions", OpenAiDoorClient.Chat("cortex/default", "still there"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"the door after {after}: {body}");
        Assert.That(body, Does.Contain("Hello from mock-1: still there"), $"the door after {after}");
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
