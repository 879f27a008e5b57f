using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// Plants a fake key per provider, lets fake OpenAI and Anthropic servers echo it (whole, "sk-...T123abcd"
/// style, its middle, its start) in error bodies, headers and SSE error events, and then searches all the
/// daemon emitted for any run of eight characters of either key: its stdout and stderr at debug level,
/// every text column of the ledger, WatchEvents, the gRPC errors and trailers the client got, the
/// answers' attempt logs, and the cortex-llm CLI's output; and, through the OpenAI-compatible door
/// (SecretsLeakTests.Door.cs), every status, header, trailer, body and event the door returned.
/// </summary>
[NonParallelizable]
public partial class SecretsLeakTests
{
    private const string OpenAiKey = "sk-proj-Xq4Lm8Np2Rt6Vw0Yz3Bc7Df1Gh5Jk9T123abcd";
    private const string AnthropicKey = "sk-ant-api03-Hs7Kd2Mf9Pq4Wr8Zt1Xv6Ny3Lb5Cj0Q456efgh";

    private string _dir = null!;
    private FakeOpenAiServer _openAi = null!;
    private FakeAnthropicServer _anthropic = null!;

    [SetUp]
    public async Task Start()
    {
        _dir = TempDirectory.Create();
        _openAi = await FakeOpenAiServer.StartNewAsync();
        _anthropic = await FakeAnthropicServer.StartNewAsync();
        _openAi.ErrorMessage = Echo(OpenAiKey);
        _anthropic.ErrorMessage = Echo(AnthropicKey);
        _openAi.StreamErrorJson = $$$"""{"error":{"message":"{{{Echo(OpenAiKey)}}}","type":"invalid_request_error","code":"invalid_api_key"}}""";
        _anthropic.DefaultAnswer = FakeAnthropicAnswer.Text("partial") with { StreamError = ("authentication_error", Echo(AnthropicKey)) };
    }

    [TearDown]
    public async Task Stop()
    {
        await _openAi.DisposeAsync();
        await _anthropic.DisposeAsync();
        TempDirectory.Delete(_dir);
    }

    /// <summary>How providers quote a key back: whole, masked in the middle, and in pieces.</summary>
    private static string Echo(string key) =>
        $"Incorrect API key provided: {key}. Seen as {key[..3]}...{key[^8..]}, as {key[10..22]}, and as {key[..10]}****.";

    private static ProviderFault Faulty(string key, int? status = null) => new()
    {
        Status = status,
        RetryAfter = status == 429 ? TimeSpan.FromSeconds(1) : null,
        Headers = new Dictionary<string, string>
        {
            ["x-echo-key"] = key,
            ["www-authenticate"] = $"Bearer error=\"invalid_token\", hint=\"{key[^12..]}\"",
            ["x-request-note"] = "sk-..." + key[^8..],
        },
    };

    [Test]
    public async Task EverythingEmitted_ProviderEchoesKey_NoEightCharacterFragmentAnywhere()
    {
        var scan = new SecretScan();
        string socket = Path.Combine(_dir, "d.sock");
        string ledger = Path.Combine(_dir, "ledger.db");
        using DaemonProcess daemon = await StartDaemonAsync(socket, ledger);
        using var client = new CortexLlmClient(socket);
        using var watching = new CancellationTokenSource();
        Task watcher = WatchAsync(client, scan, watching.Token);
        await Task.Delay(300);

        await UnaryAsync(client, scan, "leaky", Faulty(OpenAiKey, 401), Faulty(AnthropicKey, 401));
        await UnaryAsync(client, scan, "saved", Faulty(OpenAiKey, 429), Faulty(AnthropicKey, 529));
        await UnaryAsync(client, scan, "leaky", Faulty(OpenAiKey, 500), Faulty(AnthropicKey, 403));
        // 200 answers whose stream carries the error: a data chunk for OpenAI, an error event for Anthropic.
        await StreamAsync(client, scan, "leaky", Faulty(OpenAiKey), Faulty(AnthropicKey));
        _openAi.StreamErrorAsEvent = true;
        await UnaryAsync(client, scan, "saved", Faulty(OpenAiKey), Faulty(AnthropicKey));
        await RunCliAsync(socket, scan);
        await StopAndCollectAsync(daemon, scan, watching, watcher, ledger);

        Assert.That(_openAi.Requests.Select(r => r.Header("authorization")), Has.All.EqualTo("Bearer " + OpenAiKey), "the key was really sent");
        Assert.That(_anthropic.Requests.Select(r => r.Header("x-api-key")), Has.All.EqualTo(AnthropicKey));
        // Rate-limit memory is off here (maxCooldown 0): otherwise the 429 would rightly keep oa away from the next calls.
        Assert.That(_openAi.Requests, Has.Count.EqualTo(7), "every planted fault was served");
        Assert.That(_anthropic.Requests, Has.Count.EqualTo(7));
        Assert.That(scan.Texts.Select(t => t.Source), Has.Some.StartsWith("event").And.Some.StartsWith("grpc").And.Some.StartsWith("cli"));
        Assert.That(scan.AnyContains("Incorrect API key provided: ***"), Is.True, "the echoes reached the outputs, redacted");
        Assert.That(scan.Leaks(OpenAiKey).Concat(scan.Leaks(AnthropicKey)), Is.Empty);
    }

    /// <summary>Lets the last events arrive, stops the watcher and the daemon (SIGTERM), then adds its stdout, stderr and ledger.</summary>
    private static async Task StopAndCollectAsync(DaemonProcess daemon, SecretScan scan, CancellationTokenSource watching, Task watcher, string ledger)
    {
        await Task.Delay(300);
        await watching.CancelAsync();
        await watcher;
        daemon.Signal(15);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        scan.Add("daemon stdout", daemon.Stdout);
        scan.Add("daemon stderr", daemon.Stderr);
        scan.AddLedger(ledger);

        foreach ((string source, string text) in scan.Texts)
        {
            TestContext.Out.WriteLine($"searched {source}: {text.Length} chars");
        }
    }

    /// <summary>The daemon with both doors: gRPC on <paramref name="socket"/>, the OpenAI-compatible door on DoorSocket in <paramref name="doorProtocol"/>.</summary>
    private async Task<DaemonProcess> StartDaemonAsync(string socket, string ledger, string doorProtocol = "http1")
    {
        string config = Path.Combine(_dir, "c.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "logging": { "level": "debug" },
              "openai": { "socketPath": "{{DoorSocket}}", "protocol": "{{doorProtocol}}" },
              "providers": {
                "oa": { "kind": "openai", "baseUrl": "{{_openAi.BaseUrl}}", "apiKeyEnv": "LEAK_TEST_OPENAI_KEY", "retries": 0 },
                "an": { "kind": "anthropic", "baseUrl": "{{_anthropic.BaseAddress}}", "apiKeyEnv": "LEAK_TEST_ANTHROPIC_KEY", "retries": 0 },
                "mock": { "kind": "mock", "reply": "fallback answer" }
              },
              "routes": {
                "leaky": { "targets": ["oa/gpt-test", "an/claude-test"] },
                "saved": { "targets": ["oa/gpt-test", "an/claude-test", "mock/x"] }
              },
              "tasks": { "default": "leaky" },
              "ledger": { "storePrompts": true },
              "health": { "breaker": { "minimumThroughput": 1000 }, "probes": { "enabled": false }, "maxCooldown": "0" }
            }
            """);
        var environment = new Dictionary<string, string>
        {
            ["LEAK_TEST_OPENAI_KEY"] = OpenAiKey,
            ["LEAK_TEST_ANTHROPIC_KEY"] = AnthropicKey,
            ["CORTEX_LLMD_LEDGER__PATH"] = ledger,
        };
        DaemonProcess daemon = DaemonProcess.Start(environment, "--config", config, "--socket", socket);
        await daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(60));
        await daemon.WaitUntilServingAsync(DoorSocket, TimeSpan.FromSeconds(30));
        return daemon;
    }

    private static async Task WatchAsync(CortexLlmClient client, SecretScan scan, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Event ev in client.WatchEventsAsync(new WatchEventsRequest(), new CallOptions(cancellationToken: cancellationToken)))
            {
                scan.Add("event " + ev.KindCase, ev.ToString());
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task UnaryAsync(CortexLlmClient client, SecretScan scan, string route, ProviderFault openAi, ProviderFault anthropic)
    {
        _openAi.Enqueue(openAi);
        _anthropic.Enqueue(anthropic);
        try
        {
            CompleteResponse response = await client.CompleteAsync(Ask(route));
            scan.Add("grpc response " + route, response.ToString());
        }
        catch (RpcException ex)
        {
            AddError(scan, "grpc unary error " + route, ex);
        }
    }

    private async Task StreamAsync(CortexLlmClient client, SecretScan scan, string route, ProviderFault openAi, ProviderFault anthropic)
    {
        _openAi.Enqueue(openAi);
        _anthropic.Enqueue(anthropic);
        try
        {
            await foreach (CompleteChunk chunk in client.StreamCompleteAsync(Ask(route)))
            {
                scan.Add("grpc chunk " + route, chunk.ToString());
            }
        }
        catch (RpcException ex)
        {
            AddError(scan, "grpc stream error " + route, ex);
        }
    }

    private static void AddError(SecretScan scan, string source, RpcException ex)
    {
        scan.Add(source + " message", ex.Message);
        scan.Add(source + " detail", ex.Status.Detail);
        foreach (Metadata.Entry entry in ex.Trailers)
        {
            scan.Add(source + " trailer " + entry.Key, entry.IsBinary ? System.Text.Encoding.UTF8.GetString(entry.ValueBytes) : entry.Value);
        }

        scan.Add(source + " attempt log", ex.GetAttemptLog()?.ToString());
    }

    /// <summary>The CLI: a failing and a rescued completion, in text and JSON, then the provider list and stats.</summary>
    private async Task RunCliAsync(string socket, SecretScan scan)
    {
        string[][] commands =
        [
            ["complete", "--route", "leaky", "--no-stream", "cli prompt"],
            ["complete", "--route", "saved", "--json", "--verbose", "cli prompt"],
            ["providers", "--verbose"],
            ["providers", "--json"],
            ["stats", "--json"],
        ];
        foreach (string[] command in commands.Take(2))
        {
            _openAi.Enqueue(Faulty(OpenAiKey, 401));
            _anthropic.Enqueue(Faulty(AnthropicKey, 401));
            await RunOneAsync(socket, scan, command);
        }

        foreach (string[] command in commands.Skip(2))
        {
            await RunOneAsync(socket, scan, command);
        }
    }

    private static async Task RunOneAsync(string socket, SecretScan scan, string[] command)
    {
        (int code, string stdout, string stderr) = await CliProcess.RunAsync([.. command, "--socket", socket]);
        string name = "cli " + string.Join(' ', command);
        Assert.That(stderr, Does.Not.Contain("Unrecognized command or argument"), name);
        scan.Add(name + " stdout", stdout);
        scan.Add(name + " stderr", stderr + " (exit " + code + ")");
    }

    private static CompleteRequest Ask(string route) => new() { Route = route, Messages = { new Message { Role = Role.User, Content = "leak test prompt" } } };
}
