using Cortex.Llmd.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Cortex.Llmd.Tests.Telemetry;

/// <summary>
/// An OpenTelemetry MeterProvider in the test process, listening to the daemon's meter by name and
/// exporting to memory only when asked. Tests run one at a time, so only the daemon under test records.
/// </summary>
internal sealed class MetricsCapture : IDisposable
{
    private readonly List<MetricSnapshot> _exported = [];
    private readonly MeterProvider _provider;

    public MetricsCapture()
    {
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(MetricNames.MeterName)
            .AddInMemoryExporter(_exported, r => r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000)
            .Build();
    }

    /// <summary>Everything recorded so far (cumulative), exported now.</summary>
    public IReadOnlyList<MetricSnapshot> Collect()
    {
        _exported.Clear();
        _provider.ForceFlush();
        return [.. _exported];
    }

    public static MetricSnapshot Find(IReadOnlyList<MetricSnapshot> metrics, string name) =>
        metrics.SingleOrDefault(m => m.Name == name) ?? throw new AssertionException($"no metric {name}; got: {string.Join(", ", metrics.Select(m => m.Name))}");

    public static string? Tag(MetricPoint point, string key)
    {
        foreach (KeyValuePair<string, object?> tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public static Dictionary<string, string?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, string?>();
        foreach (KeyValuePair<string, object?> tag in point.Tags)
        {
            tags[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return tags;
    }

    /// <summary>The histogram's summed values over the points whose attribute <paramref name="key"/> is <paramref name="value"/>.</summary>
    public static double HistogramSum(MetricSnapshot metric, string key, string value) =>
        metric.MetricPoints.Where(p => Tag(p, key) == value).Sum(p => p.GetHistogramSum());

    public static long CounterSum(MetricSnapshot metric, Func<MetricPoint, bool>? where = null) =>
        metric.MetricPoints.Where(p => where?.Invoke(p) ?? true).Sum(p => p.GetSumLong());

    public static IReadOnlyList<double> Bounds(MetricPoint point)
    {
        var bounds = new List<double>();
        foreach (HistogramBucket bucket in point.GetHistogramBuckets())
        {
            if (!double.IsPositiveInfinity(bucket.ExplicitBound))
            {
                bounds.Add(bucket.ExplicitBound);
            }
        }

        return bounds;
    }

    public void Dispose() => _provider.Dispose();
}
