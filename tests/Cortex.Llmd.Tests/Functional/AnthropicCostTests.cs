using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Functional;

/// <summary>
/// Anthropic's wire format through the whole daemon: every token class of a streamed and of a unary
/// answer lands in the response, and the cost equals a bill computed by hand.
/// </summary>
public class AnthropicCostTests
{
    private FakeAnthropicServer _server = null!;
    private TestDaemon _daemon = null!;
    private CortexLlmClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await FakeAnthropicServer.StartNewAsync();
        _server.DefaultAnswer = new FakeAnthropicAnswer
        {
            Blocks = [new FakeTextBlock("A priced answer from the fake Claude, long enough to pass the refusal window of one hundred characters.")],
            Usage = new FakeAnthropicUsage(InputTokens: 1_200, OutputTokens: 345, CacheReadInputTokens: 8_000, CacheCreationInputTokens: 640),
        };
        string config = $$"""
            {
              "logging": { "level": "warning" },
              "providers": {
                "claude": { "kind": "anthropic", "baseUrl": "{{_server.BaseAddress}}", "apiKeyEnv": "TEST_ANTHROPIC_KEY",
                            "models": { "sonnet": { "price": { "input": "3", "cachedInput": "0.30", "cacheWrite": "3.75", "output": "15" } } } }
              },
              "routes": { "r": { "targets": ["claude/sonnet"] } },
              "tasks": { "default": "r" },
              "health": { "probes": { "enabled": false } }
            }
            """;
        var environment = new System.Collections.Hashtable { ["TEST_ANTHROPIC_KEY"] = "sk-ant-test-0123456789" };
        _daemon = await TestDaemon.StartFromJsonAsync(config, new DaemonAppSettings { ConfigureLogging = _ => { }, Environment = environment });
        _client = new CortexLlmClient(_daemon.SocketPath);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _daemon.DisposeAsync();
        await _server.DisposeAsync();
    }

    // 1,200 x 3,000 + 8,000 x 300 + 640 x 3,750 + 345 x 15,000 nano-USD.
    private const long HandBill = 3_600_000 + 2_400_000 + 2_400_000 + 5_175_000;

    private static readonly Usage Expected = new() { InputTokens = 1_200, CachedInputTokens = 8_000, CacheWriteTokens = 640, OutputTokens = 345 };

    private static CompleteRequest Ask() => new() { Messages = { new Message { Role = Role.User, Content = "bill me" } } };

    [Test]
    public async Task Complete_AnthropicUsage_EveryClassAndExactCost()
    {
        CompleteResponse response = await _client.CompleteAsync(Ask());

        Assert.That(response.Usage, Is.EqualTo(Expected));
        Assert.That(response.Cost, Is.EqualTo(new Cost { NanoUsd = HandBill, Priced = true }));
    }

    [Test]
    public async Task StreamComplete_AnthropicUsage_FinalChunkHasEveryClassAndExactCost()
    {
        CompleteResponse? final = null;
        await foreach (CompleteChunk chunk in _client.StreamCompleteAsync(Ask()))
        {
            final = chunk.KindCase == CompleteChunk.KindOneofCase.Final ? chunk.Final : final;
        }

        Assert.That(final!.Usage, Is.EqualTo(Expected));
        Assert.That(final.Cost, Is.EqualTo(new Cost { NanoUsd = HandBill, Priced = true }));

        GetStatsResponse stats = await _client.GetStatsAsync(new GetStatsRequest());
        Assert.That(stats.Total.Cost.NanoUsd % HandBill, Is.Zero, "the ledger sums exact bills");
    }
}
