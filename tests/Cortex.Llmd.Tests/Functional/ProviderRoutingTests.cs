using System.Text.Json;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Functional;

/// <summary>
/// The daemon, its real openai adapter and a fake Chat Completions server on 127.0.0.1, driven through
/// the client library: usage, cost, fallback and the streaming contract as a caller sees them.
/// </summary>
public class ProviderRoutingTests
{
    private FakeOpenAiServer _primary = null!;
    private FakeOpenAiServer _backup = null!;
    private TestDaemon _daemon = null!;
    private CortexLlmClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _primary = await FakeOpenAiServer.StartNewAsync();
        _backup = await FakeOpenAiServer.StartNewAsync();
        _backup.Text = "backup answer";
        string config = $$"""
            {
              "logging": { "level": "warning" },
              "providers": {
                "primary": { "kind": "openai", "baseUrl": "{{_primary.BaseUrl}}", "apiKeyEnv": "TEST_PRIMARY_KEY", "retries": 0,
                             "models": { "m1": { "price": { "input": "2", "cachedInput": "0.5", "output": "8", "reasoning": "10" } } } },
                "backup": { "kind": "openai", "baseUrl": "{{_backup.BaseUrl}}", "requireKey": false, "retries": 0 },
                "nokey": { "kind": "openai", "baseUrl": "{{_backup.BaseUrl}}", "apiKeyEnv": "TEST_MISSING_KEY" },
                "timed": { "kind": "openai", "baseUrl": "{{_backup.BaseUrl}}", "requireKey": false, "retries": 0, "firstTokenTimeout": "20s" }
              },
              "routes": { "main": { "targets": ["nokey/x", "primary/m1", "backup/m2"] }, "timed": { "targets": ["timed/t1"] } },
              "tasks": { "default": "main" },
              "health": { "breaker": { "minimumThroughput": 1000 }, "probes": { "enabled": false } }
            }
            """;
        var environment = new System.Collections.Hashtable { ["TEST_PRIMARY_KEY"] = "sk-test-primary-0123456789" };
        _daemon = await TestDaemon.StartFromJsonAsync(config, new DaemonAppSettings { ConfigureLogging = _ => { }, Environment = environment });
        _client = new CortexLlmClient(_daemon.SocketPath);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _daemon.DisposeAsync();
        await _primary.DisposeAsync();
        await _backup.DisposeAsync();
    }

    private static CompleteRequest Ask(string prompt) => new() { Messages = { new Message { Role = Role.User, Content = prompt } } };

    [Test]
    public async Task Complete_OpenAiUsage_EveryFieldAndExactCostInResponse()
    {
        CompleteResponse response = await _client.CompleteAsync(Ask("usage please"));

        Assert.That(response.Provider, Is.EqualTo("primary"));
        // FakeUsage.Typical: prompt 1200 of which 1000 cached, completion 300 of which 120 reasoning.
        Assert.That(response.Usage, Is.EqualTo(new Usage { InputTokens = 200, CachedInputTokens = 1000, OutputTokens = 300, ReasoningTokens = 120 }));
        // 200 x 2000 + 1000 x 500 + 300 x 8000 + 120 x (10000 - 8000) nano-USD.
        Assert.That(response.Cost, Is.EqualTo(new Cost { NanoUsd = 400_000 + 500_000 + 2_400_000 + 240_000, Priced = true }));
        Assert.That(response.Attempts.Select(a => (a.Provider, a.Outcome, a.LatencyUs)), Is.EqualTo(new[] { ("nokey", AttemptOutcome.Skipped, 0UL), ("primary", AttemptOutcome.Success, response.Attempts[1].LatencyUs) }),
            "the keyless target is listed as skipped, not attempted");
        Assert.That(response.Attempts[0].Reason, Does.StartWith("skipped: no key"));
        Assert.That(_primary.Requests.Last().Header("authorization"), Is.EqualTo("Bearer sk-test-primary-0123456789"));
    }

    [Test]
    public async Task Complete_UnaryCall_AsksUpstreamForOneJsonAnswer()
    {
        CompleteResponse response = await _client.CompleteAsync(Ask("whole answer"));

        JsonElement sent = _primary.Requests.Last(r => r.Body.Contains("whole answer", StringComparison.Ordinal)).Json;
        Assert.That(sent.GetProperty("stream").GetBoolean(), Is.False);
        Assert.That(response.Content, Is.EqualTo(_primary.Text), "the JSON answer's content reaches the caller");
        Assert.That(response.Usage.OutputTokens, Is.EqualTo(300UL), "and its usage is billed");
    }

    [Test]
    public async Task StreamComplete_StreamingCaller_AsksUpstreamForAStream()
    {
        await foreach (CompleteChunk _ in _client.StreamCompleteAsync(Ask("streamed answer")))
        {
        }

        JsonElement sent = _primary.Requests.Last(r => r.Body.Contains("streamed answer", StringComparison.Ordinal)).Json;
        Assert.That(sent.GetProperty("stream").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Complete_TargetWithFirstTokenTimeout_StillStreamsUpstream()
    {
        CompleteRequest ask = Ask("timed answer");
        ask.Route = "timed";

        await _client.CompleteAsync(ask);

        JsonElement sent = _backup.Requests.Last(r => r.Body.Contains("timed answer", StringComparison.Ordinal)).Json;
        Assert.That(sent.GetProperty("stream").GetBoolean(), Is.True, "a first-token timeout can only be kept on a stream");
    }

    [Test]
    public async Task Route_KeylessTarget_IsSkippedWithReason()
    {
        RoutingDecision decision = await _client.RouteAsync(Ask("dry"));

        Candidate nokey = decision.Candidates.Single(c => c.Provider == "nokey");
        Assert.That(nokey.Eligible, Is.False);
        Assert.That(nokey.Reason, Does.Contain("no key").And.Contain("TEST_MISSING_KEY"));
    }

    [Test]
    public async Task Complete_PrimaryAnswers503_FallsBackAndPricesBackupAsUnpriced()
    {
        _primary.Enqueue(new ProviderFault { Status = 503 });

        CompleteResponse response = await _client.CompleteAsync(Ask("fallback"));

        Assert.That(response.Content, Is.EqualTo("backup answer"));
        Assert.That(response.Attempts.Select(a => (a.Provider, a.Outcome, a.HttpStatus)),
            Is.EqualTo(new[] { ("nokey", AttemptOutcome.Skipped, 0u), ("primary", AttemptOutcome.Error, 503u), ("backup", AttemptOutcome.Success, 200u) }));
        Assert.That(response.Cost.Priced, Is.False, "backup/m2 has no price: flagged, never silently $0");
        var unpriced = (Cortex.Llmd.Pricing.UnpricedModels)_daemon.App.Services.GetService(typeof(Cortex.Llmd.Pricing.UnpricedModels))!;
        Assert.That(unpriced.WasReported(new Cortex.Llmd.Model.TargetRef("backup", "m2")), Is.True);
        Assert.That(unpriced.WasReported(new Cortex.Llmd.Model.TargetRef("primary", "m1")), Is.False);
    }

    [Test]
    public async Task StreamComplete_FailureBeforeFirstChunk_FallsBackAndEndsOk()
    {
        _primary.Enqueue(new ProviderFault { ResetAfterEvents = 0 });

        List<CompleteChunk> chunks = await Collect(Ask("stream fallback"));

        Assert.That(string.Concat(chunks.Where(c => c.KindCase == CompleteChunk.KindOneofCase.ContentDelta).Select(c => c.ContentDelta)), Is.EqualTo("backup answer"));
        Assert.That(chunks[^1].Final.Attempts.Select(a => a.Outcome), Is.EqualTo(new[] { AttemptOutcome.Skipped, AttemptOutcome.Error, AttemptOutcome.Success }));
    }

    [Test]
    public async Task StreamComplete_FailureAfterFirstChunk_EndsUnavailableNeverOk()
    {
        string saved = _primary.Text;
        _primary.Text = string.Join(' ', Enumerable.Repeat("long", 80));
        // Paced, so the chunks are read before the reset (a TCP reset discards unread data).
        _primary.Enqueue(new ProviderFault { ResetAfterEvents = 60, DelayBetweenChunks = TimeSpan.FromMilliseconds(3) });
        var received = new List<CompleteChunk>();
        try
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (CompleteChunk chunk in _client.StreamCompleteAsync(Ask("stream cut")))
                {
                    received.Add(chunk);
                }
            });

            Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(ex.Status.Detail, Does.Contain("failed after the stream started"));
            Assert.That(ex.GetAttemptLog()!.Attempts.Select(a => a.Provider), Is.EqualTo(new[] { "nokey", "primary" }));
            Assert.That(received, Is.Not.Empty);
            Assert.That(received.Any(c => c.KindCase == CompleteChunk.KindOneofCase.Final), Is.False);
        }
        finally
        {
            _primary.Text = saved;
        }
    }

    private async Task<List<CompleteChunk>> Collect(CompleteRequest request)
    {
        var chunks = new List<CompleteChunk>();
        await foreach (CompleteChunk chunk in _client.StreamCompleteAsync(request))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }
}
