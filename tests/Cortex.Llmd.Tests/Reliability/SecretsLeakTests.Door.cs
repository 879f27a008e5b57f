using System.Net;
using Cortex.Llm.Client;
using Cortex.Llmd.Tests.OpenAi;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// The same planted keys and echoing providers, driven through the OpenAI-compatible door: its whole
/// and streamed answers, its errors before and after a stream started. Over HTTP/1.1, and over HTTP/2,
/// where a stream's extras come back as trailers.
/// </summary>
public partial class SecretsLeakTests
{
    private string DoorSocket => Path.Combine(_dir, "openai.sock");

    [TestCase("http1")]
    [TestCase("http2")]
    public async Task EverythingTheDoorReturned_ProviderEchoesKey_NoEightCharacterFragmentAnywhere(string protocol)
    {
        var scan = new SecretScan();
        string socket = Path.Combine(_dir, "d.sock");
        string ledger = Path.Combine(_dir, "ledger.db");
        using DaemonProcess daemon = await StartDaemonAsync(socket, ledger, protocol);
        using var client = new CortexLlmClient(socket);
        using var watching = new CancellationTokenSource();
        Task watcher = WatchAsync(client, scan, watching.Token);
        using HttpClient door = OpenAiDoorClient.OverSocket(DoorSocket);
        door.DefaultRequestVersion = protocol == "http2" ? HttpVersion.Version20 : HttpVersion.Version11;
        door.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        await Task.Delay(300);

        await DoorAsync(door, scan, "leaky", stream: false, Faulty(OpenAiKey, 401), Faulty(AnthropicKey, 401));
        await DoorAsync(door, scan, "saved", stream: false, Faulty(OpenAiKey, 429), Faulty(AnthropicKey, 529));
        await DoorAsync(door, scan, "leaky", stream: false, Faulty(OpenAiKey, 500), Faulty(AnthropicKey, 403));
        // A stream that fails before its first piece is an ordinary error response.
        await DoorAsync(door, scan, "leaky", stream: true, Faulty(OpenAiKey, 401), Faulty(AnthropicKey, 401));
        // 200 answers whose stream carries the error within the refusal hold-back (100 characters): no
        // piece reached the caller yet, so the door still answers with a status.
        await DoorAsync(door, scan, "leaky", stream: true, Faulty(OpenAiKey), Faulty(AnthropicKey));
        // A first piece past the hold-back, then the error: the door's stream has started, so it ends in an error event.
        _anthropic.EnqueueAnswer(FakeAnthropicAnswer.Text(new string('x', 150)) with { PieceLength = 150, StreamError = ("authentication_error", Echo(AnthropicKey)) });
        await DoorAsync(door, scan, "leaky", stream: true, Faulty(OpenAiKey, 401), Faulty(AnthropicKey));
        _openAi.StreamErrorAsEvent = true;
        await DoorAsync(door, scan, "saved", stream: true, Faulty(OpenAiKey), Faulty(AnthropicKey));
        await DoorAsync(door, scan, "saved", stream: false, Faulty(OpenAiKey), Faulty(AnthropicKey));
        await StopAndCollectAsync(daemon, scan, watching, watcher, ledger);

        List<(string Source, string Text)> returned = [.. scan.Texts.Where(t => t.Source.StartsWith("door", StringComparison.Ordinal))];
        Assert.That(_openAi.Requests.Select(r => r.Header("authorization")), Has.All.EqualTo("Bearer " + OpenAiKey), "the key was really sent");
        Assert.That(_anthropic.Requests.Select(r => r.Header("x-api-key")), Has.All.EqualTo(AnthropicKey));
        Assert.That(_openAi.Requests, Has.Count.EqualTo(8), "every planted fault was served");
        Assert.That(_anthropic.Requests, Has.Count.EqualTo(8));
        Assert.That(returned.Select(t => t.Source), Has.Some.Contains(" 502 body").And.Some.Contains(" sse error").And.Some.Contains(" 200 header x-cortex-provider"));
        if (protocol == "http2")
        {
            Assert.That(returned.Select(t => t.Source), Has.Some.Contains(" trailer x-cortex-"), "a stream's extras came as trailers");
        }

        Assert.That(returned.Any(t => t.Text.Contains("Incorrect API key provided: ***", StringComparison.Ordinal)), Is.True, "the echoes reached the door's answers, redacted");
        Assert.That(scan.Leaks(OpenAiKey).Concat(scan.Leaks(AnthropicKey)), Is.Empty);
    }

    /// <summary>One chat completion through the door; its status, every header and trailer, the body and each event go to the scan.</summary>
    private async Task DoorAsync(HttpClient door, SecretScan scan, string route, bool stream, ProviderFault openAi, ProviderFault anthropic)
    {
        _openAi.Enqueue(openAi);
        _anthropic.Enqueue(anthropic);
        using HttpResponseMessage response = await door.PostAsync("v1/chat/completions", OpenAiDoorClient.Chat("cortex/" + route, "leak test prompt", stream));
        string body = await response.Content.ReadAsStringAsync();
        string name = $"door {(stream ? "stream" : "unary")} {route} {(int)response.StatusCode}";
        scan.Add(name + " status", $"{(int)response.StatusCode} {response.ReasonPhrase}");
        AddHeaders(scan, name + " header", response.Headers.Concat(response.Content.Headers));
        AddHeaders(scan, name + " trailer", response.TrailingHeaders);
        scan.Add(name + " body", body);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            foreach ((string eventName, string data) in OpenAiDoorClient.SseEvents(body))
            {
                scan.Add($"{name} sse {eventName}", data);
            }
        }
    }

    private static void AddHeaders(SecretScan scan, string prefix, IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        foreach ((string key, IEnumerable<string> values) in headers)
        {
            scan.Add($"{prefix} {key.ToLowerInvariant()}", key + ": " + string.Join(", ", values));
        }
    }
}
