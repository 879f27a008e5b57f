using System.Net;
using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Tests.Support;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.DependencyInjection;
using static Cortex.Llmd.Tests.OpenAi.OpenAiDoorClient;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>
/// The OpenAI-compatible door on a running daemon, over its Unix socket and its TCP address: answers,
/// streams, the failures each status stands for, and the ledger rows it leaves. The official SDKs'
/// view of the same door is in the Node interop tests.
/// </summary>
[NonParallelizable]
public class OpenAiDoorTests
{
    private TestDaemon _daemon = null!;
    private string _directory = null!;
    private int _port;
    private string _doorSocket = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _port = LoopbackPorts.Free();
        _directory = TempDirectory.Create();
        _doorSocket = Path.Combine(_directory, "openai.sock");
        string json = (await File.ReadAllTextAsync(TestDaemon.TestConfigPath))
            .Replace("\"providers\": {", """
                "openai": { "socketPath": "SOCKET", "tcpAddress": "127.0.0.1:PORT", "maxRequestBytes": 4096 },
                "providers": {
                  "cut": { "kind": "mock", "defaultModel": "cut-1", "reply": "piece ", "repeat": 60, "failAfterChunks": 30, "retries": 0 },
                """, StringComparison.Ordinal)
            .Replace("\"routes\": {", "\"routes\": {\n    \"cut\": { \"targets\": [\"cut/cut-1\"] },", StringComparison.Ordinal)
            .Replace("SOCKET", _doorSocket, StringComparison.Ordinal)
            .Replace("PORT", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        _daemon = await TestDaemon.StartFromJsonAsync(json);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _daemon.DisposeAsync();
        TempDirectory.Delete(_directory);
    }

    [Test]
    public async Task ChatCompletions_OverSocketAndTcp_AnswerWithExtrasAndOpenAiDoorRows()
    {
        ulong before = DoorRequests(FrontDoors.OpenAi);
        foreach (HttpClient client in new[] { OverSocket(_doorSocket), OverTcp(_port) })
        {
            using (client)
            {
                using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/default", "ping"));
                JsonElement body = await JsonOf(response);

                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
                Assert.That(body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), Is.EqualTo("Hello from mock-1: ping"));
                Assert.That(body.GetProperty("model").GetString(), Is.EqualTo("cortex/default"));
                Assert.That(Header(response, "x-cortex-provider"), Is.EqualTo("mock"));
                Assert.That(Header(response, "x-cortex-model"), Is.EqualTo("mock-1"));
                Assert.That(Header(response, "x-cortex-attempts"), Is.EqualTo("1"));
                Assert.That(body.GetProperty("id").GetString(), Is.EqualTo("chatcmpl-" + Header(response, "x-cortex-request-id")));
            }
        }

        Assert.That(DoorRequests(FrontDoors.OpenAi) - before, Is.EqualTo(2UL), "both answers have a ledger row of the openai door");
    }

    [Test]
    public async Task ChatCompletions_StreamWithIncludeUsage_RoleChunksUsageThenDone()
    {
        using HttpClient client = OverSocket(_doorSocket);
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/default", "ping", stream: true));
        string body = await response.Content.ReadAsStringAsync();
        List<(string Event, string Data)> events = SseEvents(body);

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(events[^1], Is.EqualTo(("message", "[DONE]")));
        using JsonDocument first = JsonDocument.Parse(events[0].Data);
        Assert.That(first.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString(), Is.EqualTo("assistant"));
        string text = string.Concat(events.Take(events.Count - 1).Select(e => JsonDocument.Parse(e.Data).RootElement)
            .Where(e => e.GetProperty("choices").GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out _))
            .Select(d => d.GetProperty("content").GetString()));
        Assert.That(text, Is.EqualTo("Hello from mock-1: ping"));
        using JsonDocument usage = JsonDocument.Parse(events[^2].Data);
        Assert.That(usage.RootElement.GetProperty("choices").GetArrayLength(), Is.Zero);
        Assert.That(usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public async Task ChatCompletions_ProviderFailsPastTheHoldBack_StreamEndsWithErrorEventAndNoDone()
    {
        using HttpClient client = OverTcp(_port);
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/cut", stream: true));
        List<(string Event, string Data)> events = SseEvents(await response.Content.ReadAsStringAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the status left with the first chunk");
        Assert.That(events.Select(e => e.Data), Has.None.EqualTo("[DONE]"));
        Assert.That(events[^1].Event, Is.EqualTo("error"));
        using JsonDocument error = JsonDocument.Parse(events[^1].Data);
        Assert.That(error.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("stream_interrupted"));
        Assert.That(events.Count(e => e.Data.Contains("piece", StringComparison.Ordinal)), Is.EqualTo(30), "the pieces before the failure reached the caller");
    }

    [Test]
    public async Task ChatCompletions_EveryAttemptFailsBeforeAnyChunk_502WithTheAttemptsInTheMessage()
    {
        using HttpClient client = OverTcp(_port);
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/broken", stream: true));
        JsonElement error = (await JsonOf(response)).GetProperty("error");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway), "a stream that never started keeps a real status");
        Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("server_error"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("broken/broken-1"));
        Assert.That(Header(response, "x-cortex-attempts"), Is.EqualTo("1"));
    }

    [Test]
    public async Task ChatCompletions_BodyOverMaxRequestBytes_413()
    {
        using HttpClient client = OverSocket(_doorSocket);
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/default", new string('a', 5000)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That((await JsonOf(response)).GetProperty("error").GetProperty("message").GetString(), Does.Contain("4096"));
    }

    [Test]
    public async Task ChatCompletions_UnknownModel_404ListingValidIds()
    {
        using HttpClient client = OverTcp(_port);
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("gpt-nonexistent"));
        JsonElement error = (await JsonOf(response)).GetProperty("error");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(error.GetProperty("param").GetString(), Is.EqualTo("model"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("cortex/default").And.Contain("mock/mock-1"));
    }

    [Test]
    public async Task ChatCompletions_TimeoutHeaderShorterThanTheProvider_504()
    {
        using HttpClient client = OverTcp(_port);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Chat("cortex/slow") };
        request.Headers.Add("x-cortex-timeout-ms", "300");
        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
        Assert.That((await JsonOf(response)).GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("deadline_exceeded"));
    }

    [Test]
    public async Task Paths_UnknownPathAndWrongMethod_404And405WithAllow()
    {
        using HttpClient client = OverSocket(_doorSocket);
        using HttpResponseMessage unknown = await client.GetAsync("v1/embeddings");
        using HttpResponseMessage wrongMethod = await client.GetAsync("v1/chat/completions");

        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonOf(unknown)).GetProperty("error").GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
        Assert.That(wrongMethod.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(wrongMethod.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
    }

    [Test]
    public async Task Door_GrpcMethodPath_IsNotServedThere()
    {
        using HttpClient client = OverTcp(_port);
        using var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new("application/grpc");
        using HttpResponseMessage response = await client.PostAsync("cortex.llm.v1.Router/Complete", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the gRPC service lives behind the other door only");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }

    [Test]
    public async Task Models_OverTcp_ListsRoutesTasksAndTargets()
    {
        using HttpClient client = OverTcp(_port);
        using HttpResponseMessage response = await client.GetAsync("v1/models");
        string[] ids = [.. (await JsonOf(response)).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

        Assert.That(ids, Does.Contain("cortex/auto").And.Contain("cortex/default").And.Contain("cortex/task/error_debugging").And.Contain("mock/mock-1"));
    }

    [Test]
    public async Task ChatCompletions_TcpCaller_IdentifiedByUidInTheLedger()
    {
        using HttpClient client = OverTcp(_port);
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/default", "who"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        GetStatsResponse stats = _daemon.App.Services.GetRequiredService<IStatsStore>().Query(
            new GetStatsRequest { GroupBy = GroupBy.Caller, Filter = new StatsFilter { Door = FrontDoors.OpenAi } }, 0);
        uint uid = Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId();
        Assert.That(stats.Groups.Select(g => g.Key), Has.Member("uid " + uid.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "the loopback caller's uid came from the kernel's socket table");
    }

    [Test]
    public async Task ChatCompletions_ProtocolHttp2_ServesPriorKnowledge()
    {
        int port = LoopbackPorts.Free();
        string json = (await File.ReadAllTextAsync(TestDaemon.TestConfigPath)).Replace(
            "\"providers\": {", $"\"openai\": {{ \"tcpAddress\": \"127.0.0.1:{port}\", \"protocol\": \"http2\" }},\n  \"providers\": {{", StringComparison.Ordinal);
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(json);
        using HttpClient http2 = OverTcp(port, http2: true);

        using HttpResponseMessage response = await http2.PostAsync("v1/chat/completions", Chat("cortex/default", "h2"));

        Assert.That(response.Version, Is.EqualTo(HttpVersion.Version20));
        Assert.That((await JsonOf(response)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), Is.EqualTo("Hello from mock-1: h2"));
    }

    [Test]
    public async Task Endpoint_CallerWithoutKernelIdentity_401()
    {
        // A connection with no identity (a peer on another host): no loopback peer can produce one, so the endpoint is called directly.
        var endpoint = _daemon.App.Services.GetRequiredService<Cortex.Llmd.OpenAi.OpenAiEndpoint>();
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/v1/models";
        using var body = new MemoryStream();
        http.Response.Body = body;

        await endpoint.InvokeAsync(http);

        Assert.That(http.Response.StatusCode, Is.EqualTo(401));
        using JsonDocument error = JsonDocument.Parse(body.ToArray());
        Assert.That(error.RootElement.GetProperty("error").GetProperty("type").GetString(), Is.EqualTo("authentication_error"));
        Assert.That(error.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain("openai.allowUnidentified"));
    }

    /// <summary>A body cut short, and a chunk size past int.MaxValue, as Kestrel reports each.</summary>
    private static IEnumerable<TestCaseData> BrokenBodies()
    {
        yield return new TestCaseData(new Microsoft.AspNetCore.Http.BadHttpRequestException("Unexpected end of request content.", 400)).SetArgDisplayNames("cut short");
        yield return new TestCaseData(new IOException("Bad chunk size data.", new OverflowException())).SetArgDisplayNames("chunk size overflow");
    }

    /// <summary>
    /// A body that breaks HTTP is Kestrel's to answer: the endpoint hands it on as Kestrel's own
    /// BadHttpRequestException rather than log it as its own fault and answer 500 on a connection
    /// Kestrel then tries to read the next request from (found by OpenAiDoorFuzzTests).
    /// </summary>
    [TestCaseSource(nameof(BrokenBodies))]
    public void Endpoint_BodyThatBreaksHttp_LeftToKestrelNot500(Exception broken)
    {
        var endpoint = _daemon.App.Services.GetRequiredService<Cortex.Llmd.OpenAi.OpenAiEndpoint>();
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        uint uid = Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId();
        http.Features.Set<IConnectionItemsFeature>(new ConnectionItems { Items = { ["cortex.caller"] = new CallerInfo(uid, uid, 1, "test", string.Empty) } });
        http.Request.Method = "POST";
        http.Request.Path = "/v1/chat/completions";
        http.Request.Body = new BrokenBody(broken);
        http.Response.Body = new MemoryStream();

        Assert.That(() => endpoint.InvokeAsync(http), Throws.InstanceOf<Microsoft.AspNetCore.Http.BadHttpRequestException>());
        Assert.That(http.Response.StatusCode, Is.Not.EqualTo(500));
        Assert.That(http.Response.Body.Length, Is.Zero, "nothing written in Kestrel's place");
    }

    private sealed class ConnectionItems : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    }

    private sealed class BrokenBody(Exception broken) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(broken);
    }

    private ulong DoorRequests(string door) =>
        _daemon.App.Services.GetRequiredService<IStatsStore>().Query(new GetStatsRequest { GroupBy = GroupBy.Door }, 0)
            .Groups.FirstOrDefault(g => g.Key == door)?.Requests ?? 0;
}
