using System.Collections;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Cortex.Llmd.Telemetry;

/// <summary>
/// Registers the metrics, and the OpenTelemetry SDK with its OTLP exporter only when export is on.
/// With export off no SDK type is touched, so its assemblies are not even loaded under the JIT.
/// </summary>
public static class MetricsExport
{
    public const string ServiceName = "cortex-llmd";

    public static void Add(IServiceCollection services, TelemetryOptions options, IDictionary environment, string version)
    {
        services.AddSingleton<GenAiMetrics>();
        if (OtlpExportPlan.Resolve(options.Otlp, environment) is { } plan)
        {
            AddExporter(services, plan, version);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddExporter(IServiceCollection services, OtlpExportPlan plan, string version)
    {
        var target = new ExportTarget();
        services.AddSingleton(sp =>
        {
            // The instruments must exist before the provider subscribes to their meter's name.
            sp.GetRequiredService<GenAiMetrics>();
            return Build(plan, version, target);
        });
        services.AddHostedService(sp => new MetricsExportService(
            sp.GetRequiredService<MeterProvider>(), target, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Cortex.Llmd.Telemetry")));
    }

    private static MeterProvider Build(OtlpExportPlan plan, string version, ExportTarget target)
    {
        // The SDK reads its OTEL_* settings from this configuration: the same environment the plan saw.
        IConfiguration variables = new ConfigurationBuilder().AddInMemoryCollection(plan.Variables).Build();
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(s => s.AddSingleton(variables))
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: version))
            .AddMeter(MetricNames.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                if (plan.Options.Protocol is { } protocol)
                {
                    exporter.Protocol = protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                }

                if (plan.ExporterEndpoint(exporter.Protocol == OtlpExportProtocol.HttpProtobuf) is { } endpoint)
                {
                    exporter.Endpoint = endpoint;
                }

                if (plan.Options.ExportInterval is { } interval)
                {
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds;
                }

                target.Describe(exporter, reader);
            })
            .Build();
    }
}

/// <summary>Where the exporter ended up sending, for the start-up log line.</summary>
internal sealed class ExportTarget
{
    public string Description { get; private set; } = "OTLP";

    public void Describe(OtlpExporterOptions exporter, MetricReaderOptions reader)
    {
        string protocol = exporter.Protocol == OtlpExportProtocol.Grpc ? "grpc" : "http/protobuf";
        int? interval = reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds;
        // For http/protobuf the exporter adds /v1/metrics to a base address it read from the variables, after this point.
        Description = $"OTLP {protocol}, endpoint {exporter.Endpoint}" + (interval is { } ms ? $", every {ms} ms" : string.Empty);
    }
}

/// <summary>Builds the provider at start (so exporting begins), and sends what is left at stop, within a bound.</summary>
internal sealed class MetricsExportService(MeterProvider provider, ExportTarget target, ILogger logger) : IHostedService
{
    private const int FinalExportMilliseconds = 3000;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        TelemetryLog.ExportOn(logger, target.Description);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        // Shutdown blocks while the last export runs: off the stopping thread, and bounded so a dead collector cannot hold up the stop.
        Task.Run(() => provider.Shutdown(FinalExportMilliseconds), CancellationToken.None);
}

internal static partial class TelemetryLog
{
    [LoggerMessage(700, LogLevel.Information, "Metrics export on: {Target}")]
    public static partial void ExportOn(ILogger logger, string target);
}
