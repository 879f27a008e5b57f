using System.Collections;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Stats;
using Cortex.Llmd.Telemetry;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Cortex.Llmd.Tests.Telemetry;

/// <summary>Real requests through a running daemon: the metrics add up to what the ledger recorded.</summary>
public class MetricsDaemonTests
{
    private const string Config = """
        {
          "logging": { "level": "warning" },
          "providers": {
            "priced": {
              "kind": "mock", "defaultModel": "p-1", "reply": "a priced answer",
              "usage": { "inputTokens": 1000, "cachedInputTokens": 200, "cacheWriteTokens": 30, "outputTokens": 400, "reasoningTokens": 50 },
              "models": { "p-1": { "price": { "input": "3", "cachedInput": "0.3", "cacheWrite": "3.75", "output": "15" } } }
            },
            "broken": { "kind": "mock", "defaultModel": "b-1", "failure": "error", "retries": 0 }
          },
          "routes": {
            "quality": { "targets": ["priced/p-1"] },
            "fallback": { "targets": ["broken/b-1"], "fallbacks": ["quality"] },
            "broken": { "targets": ["broken/b-1"] }
          },
          "tasks": { "default": "quality" },
          "health": { "breaker": { "minimumThroughput": 1000 }, "probes": { "enabled": false } }
        }
        """;

    private static CompleteRequest Ask(string route) => new() { Route = route, Messages = { new Message { Role = Role.User, Content = "count me" } } };

    [Test]
    public async Task Complete_MixedCalls_TokenAndCostSumsEqualTheLedger()
    {
        using var capture = new MetricsCapture();
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config);
        using var client = new CortexLlmClient(daemon.SocketPath);

        await client.CompleteAsync(Ask("quality"));
        await client.CompleteAsync(Ask("quality"));
        await foreach (CompleteChunk _ in client.StreamCompleteAsync(Ask("quality")))
        {
        }

        CompleteResponse fallback = await client.CompleteAsync(Ask("fallback"));
        await Assert.ThrowsAsync<RpcException>(async () => await client.CompleteAsync(Ask("broken")));

        IReadOnlyList<MetricSnapshot> metrics = capture.Collect();
        StatsGroup total = daemon.App.Services.GetRequiredService<IStatsStore>().Query(new GetStatsRequest(), 0).Total;
        Assert.That(total.Requests, Is.EqualTo(5UL));
        Assert.That(fallback.Attempts, Has.Count.EqualTo(2));
        MetricSnapshot tokens = MetricsCapture.Find(metrics, MetricNames.TokenUsage);
        Usage usage = total.Usage;
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "input"), Is.EqualTo(usage.InputTokens + usage.CachedInputTokens + usage.CacheWriteTokens));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "output"), Is.EqualTo(usage.OutputTokens));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "input.cache_read"), Is.EqualTo(usage.CachedInputTokens));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "input.cache_creation"), Is.EqualTo(usage.CacheWriteTokens));
        Assert.That(MetricsCapture.HistogramSum(tokens, MetricNames.TokenType, "output.reasoning"), Is.EqualTo(usage.ReasoningTokens));
        Assert.That(usage.OutputTokens, Is.EqualTo(4 * 400UL), "four answers, one of them after a fallback");
        Assert.That(MetricsCapture.CounterSum(MetricsCapture.Find(metrics, MetricNames.Cost)), Is.EqualTo(total.Cost.NanoUsd).And.GreaterThan(0));

        MetricSnapshot attempts = MetricsCapture.Find(metrics, MetricNames.Attempts);
        Assert.That(MetricsCapture.CounterSum(attempts), Is.EqualTo((long)total.Attempts));
        Assert.That(MetricsCapture.CounterSum(attempts, p => MetricsCapture.Tag(p, MetricNames.Outcome) == "error"), Is.EqualTo(2), "the fallback's first attempt and the broken route's");
        Assert.That(MetricsCapture.Find(metrics, MetricNames.TimeToFirstChunk).MetricPoints.Sum(p => p.GetHistogramCount()), Is.EqualTo(1), "only the stream has a first chunk");
        MetricPoint failed = MetricsCapture.Find(metrics, MetricNames.RequestDuration).MetricPoints.Single(p => MetricsCapture.Tag(p, MetricNames.ErrorType) is not null);
        Assert.That(MetricsCapture.Tag(failed, MetricNames.ErrorType), Is.EqualTo("UNAVAILABLE"));
        Assert.That(MetricsCapture.Tag(failed, MetricNames.Door), Is.EqualTo("grpc"));
    }

    [Test]
    public async Task Build_ExportOff_RegistersNoMeterProvider()
    {
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config);

        Assert.That(daemon.App.Services.GetService<MeterProvider>(), Is.Null);
        Assert.That(daemon.App.Services.GetService<GenAiMetrics>(), Is.Not.Null);
    }

    [Test]
    public async Task Build_EndpointVariableSet_RegistersTheMeterProvider()
    {
        var environment = new Hashtable { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" };
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(
            Config, new DaemonAppSettings { ConfigureLogging = _ => { }, Environment = environment });

        Assert.That(daemon.App.Services.GetService<MeterProvider>(), Is.Not.Null);
    }
}
