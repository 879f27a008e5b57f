using System.Collections;

namespace Cortex.Llmd.Telemetry;

/// <summary>
/// Whether metrics are exported, and what config adds to the OTEL_* variables. Export is on when
/// <c>telemetry.otlp.enabled</c> is true, or when it is unset and OTEL_EXPORTER_OTLP_ENDPOINT or
/// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is set; OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none
/// turn it off whatever the config says, as they do for every OpenTelemetry SDK.
/// </summary>
public sealed record OtlpExportPlan(OtlpOptions Options, IReadOnlyDictionary<string, string?> Variables)
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string MetricsEndpointVariable = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string SdkDisabledVariable = "OTEL_SDK_DISABLED";
    public const string MetricsExporterVariable = "OTEL_METRICS_EXPORTER";

    /// <summary>The plan when export is on; null when it is off, and then nothing of the SDK is built.</summary>
    public static OtlpExportPlan? Resolve(OtlpOptions options, IDictionary environment)
    {
        Dictionary<string, string?> variables = OtelVariables(environment);
        if (IsTrue(variables, SdkDisabledVariable) || Is(variables, MetricsExporterVariable, "none"))
        {
            return null;
        }

        bool on = options.Enabled ?? (IsSet(variables, EndpointVariable) || IsSet(variables, MetricsEndpointVariable));
        return on ? new OtlpExportPlan(options, variables) : null;
    }

    /// <summary>
    /// The endpoint to give the exporter, or null to let it read the variables. Like the variable, a
    /// configured endpoint is the collector's base address: http/protobuf sends to its /v1/metrics.
    /// </summary>
    public Uri? ExporterEndpoint(bool httpProtobuf)
    {
        if (Options.Endpoint is not { } endpoint || !httpProtobuf)
        {
            return Options.Endpoint;
        }

        string path = endpoint.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1/metrics", StringComparison.Ordinal))
        {
            return endpoint;
        }

        return new UriBuilder(endpoint) { Path = path + "/v1/metrics" }.Uri;
    }

    /// <summary>Only OTEL_* entries: the SDK reads its settings from these and nothing else of ours.</summary>
    private static Dictionary<string, string?> OtelVariables(IDictionary environment)
    {
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string key && key.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase))
            {
                variables[key] = entry.Value as string;
            }
        }

        return variables;
    }

    private static bool IsSet(Dictionary<string, string?> variables, string name) =>
        variables.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value);

    private static bool IsTrue(Dictionary<string, string?> variables, string name) => Is(variables, name, "true");

    private static bool Is(Dictionary<string, string?> variables, string name, string expected) =>
        variables.TryGetValue(name, out string? value) && string.Equals(value?.Trim(), expected, StringComparison.OrdinalIgnoreCase);
}
