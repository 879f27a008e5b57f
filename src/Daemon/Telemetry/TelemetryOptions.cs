using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Telemetry;

/// <summary>The OTLP wire protocols the exporter speaks.</summary>
public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}

/// <summary>
/// The <c>telemetry.otlp</c> section. Every key is optional: an unset key leaves the choice to the
/// standard OTEL_* variables and then to the exporter's defaults (see docs/metrics.md).
/// </summary>
public sealed record OtlpOptions
{
    public static readonly string[] ConfigKeys = ["enabled", "endpoint", "protocol", "exportInterval"];

    private static readonly Dictionary<string, OtlpProtocol> Protocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["grpc"] = OtlpProtocol.Grpc,
        ["http/protobuf"] = OtlpProtocol.HttpProtobuf,
    };

    /// <summary>Null: export is on only when an OTLP endpoint variable is set.</summary>
    public bool? Enabled { get; init; }

    /// <summary>The collector's base address, like OTEL_EXPORTER_OTLP_ENDPOINT.</summary>
    public Uri? Endpoint { get; init; }

    public OtlpProtocol? Protocol { get; init; }

    public TimeSpan? ExportInterval { get; init; }

    public static OtlpOptions Parse(ConfigNode node)
    {
        node.AllowOnly(ConfigKeys);
        return new OtlpOptions
        {
            Enabled = node.Exists("enabled") ? node.Flag("enabled", false) : null,
            Endpoint = ParseEndpoint(node),
            Protocol = node.Exists("protocol") ? node.Choice("protocol", OtlpProtocol.Grpc, Protocols) : null,
            ExportInterval = node.Exists("exportInterval")
                ? node.Duration("exportInterval", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))
                : null,
        };
    }

    private static Uri? ParseEndpoint(ConfigNode node)
    {
        string? text = node.Text("endpoint");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            node.Error("endpoint", $"'{text}' is not an absolute http:// or https:// address");
            return null;
        }

        return uri;
    }
}

/// <summary>The <c>telemetry</c> config section. Read at start only: a reload does not change export.</summary>
public sealed record TelemetryOptions
{
    public OtlpOptions Otlp { get; init; } = new();

    public static TelemetryOptions Parse(ConfigNode node)
    {
        node.AllowOnly("otlp");
        return new TelemetryOptions { Otlp = OtlpOptions.Parse(node.Child("otlp")) };
    }
}
