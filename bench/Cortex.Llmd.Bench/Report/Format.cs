using System.Globalization;

namespace Cortex.Llmd.Bench.Report;

/// <summary>Numbers as the report prints them; NaN prints as n/a.</summary>
internal static class Format
{
    public const string NotAvailable = "n/a";

    public static string Micros(double us) => double.IsNaN(us) ? NotAvailable : us.ToString("N0", CultureInfo.InvariantCulture) + " µs";

    /// <summary>A difference: signed, so a gateway that measured faster than direct (noise) shows it.</summary>
    public static string AddedMicros(double us) => double.IsNaN(us) ? NotAvailable : (us >= 0 ? "+" : "−") + Math.Abs(us).ToString("N0", CultureInfo.InvariantCulture) + " µs";

    public static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double perSecond) => double.IsNaN(perSecond) ? NotAvailable : perSecond.ToString("N0", CultureInfo.InvariantCulture);

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    public static string Percent(double fraction) => double.IsNaN(fraction) ? NotAvailable : (fraction * 100).ToString("N1", CultureInfo.InvariantCulture) + "%";

    public static string SignedPercent(double fraction) => double.IsNaN(fraction) ? NotAvailable : (fraction >= 0 ? "+" : "−") + Math.Abs(fraction * 100).ToString("N1", CultureInfo.InvariantCulture) + "%";

    public static string Ratio(double ratio) => double.IsNaN(ratio) ? NotAvailable : double.IsPositiveInfinity(ratio) ? "∞" : ratio.ToString("N1", CultureInfo.InvariantCulture) + "×";
}
