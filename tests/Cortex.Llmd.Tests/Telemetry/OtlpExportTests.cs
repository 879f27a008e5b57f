using System.Collections;
using System.Collections.Concurrent;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Tests.Telemetry;

/// <summary>The daemon with export on sends OTLP over HTTP to a collector on loopback.</summary>
public class OtlpExportTests
{
    private const string Base = """
        "logging": { "level": "warning" },
        "providers": { "mock": { "kind": "mock", "defaultModel": "mock-1" } },
        "routes": { "default": { "targets": ["mock/mock-1"] } },
        "tasks": { "default": "default" },
        "health": { "probes": { "enabled": false } }
        """;

    [Test]
    public async Task Export_HttpProtobufEnabledInConfig_PostsProtobufMetricsToTheCollector()
    {
        await using var collector = await FakeOtlpReceiver.StartAsync();
        string telemetry = $$"""
            "telemetry": { "otlp": { "enabled": true, "endpoint": "{{collector.BaseAddress}}", "protocol": "http/protobuf", "exportInterval": "1s" } }
            """;

        await CallAndWaitForExportAsync(collector, "{" + Base + "," + telemetry + "}", new Hashtable());

        AssertMetricsPosted(collector);
    }

    [Test]
    public async Task Export_OnlyStandardVariablesSet_PostsToTheirEndpoint()
    {
        await using var collector = await FakeOtlpReceiver.StartAsync();
        var environment = new Hashtable
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };

        await CallAndWaitForExportAsync(collector, "{" + Base + "}", environment);

        AssertMetricsPosted(collector);
    }

    private static async Task CallAndWaitForExportAsync(FakeOtlpReceiver collector, string config, Hashtable environment)
    {
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(config, new DaemonAppSettings { ConfigureLogging = _ => { }, Environment = environment });
        using var client = new CortexLlmClient(daemon.SocketPath);
        await client.CompleteAsync(new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "export me" } } });

        // Every export carries the cumulative state, so the first periodic one already has the call.
        await collector.FirstPost.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static void AssertMetricsPosted(FakeOtlpReceiver collector)
    {
        (string path, string contentType, int length) = collector.Posts.First();
        Assert.That(path, Is.EqualTo("/v1/metrics"));
        Assert.That(contentType, Is.EqualTo("application/x-protobuf"));
        Assert.That(length, Is.GreaterThan(0));
    }

    private sealed class FakeOtlpReceiver : IAsyncDisposable
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WebApplication _app = null!;

        public Uri BaseAddress { get; private set; } = null!;

        public ConcurrentQueue<(string Path, string ContentType, int Length)> Posts { get; } = new();

        public Task FirstPost => _first.Task;

        public static async Task<FakeOtlpReceiver> StartAsync()
        {
            var receiver = new FakeOtlpReceiver();
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            receiver._app = builder.Build();
            receiver._app.Run(receiver.ReceiveAsync);
            await receiver._app.StartAsync();
            string address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver.BaseAddress = new Uri(address);
            return receiver;
        }

        private async Task ReceiveAsync(HttpContext context)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (context.Request.Method == "POST")
            {
                Posts.Enqueue((context.Request.Path.Value ?? string.Empty, context.Request.ContentType ?? string.Empty, (int)body.Length));
                _first.TrySetResult();
            }

            // An empty ExportMetricsServiceResponse: full success.
            context.Response.ContentType = "application/x-protobuf";
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
