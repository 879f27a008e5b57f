using System.Globalization;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>
/// How hard the reliability suite pushes. CI runs the short form; the soak (bench/soak.sh) sets
/// CORTEX_RELIABILITY_SCALE to a factor such as 5, so one set of tests serves both.
/// </summary>
internal static class ReliabilityScale
{
    public static int Factor { get; } = ReadFactor();

    /// <summary>The CI count multiplied by the soak factor.</summary>
    public static int Of(int ciCount) => checked(ciCount * Factor);

    private static int ReadFactor()
    {
        string? text = Environment.GetEnvironmentVariable("CORTEX_RELIABILITY_SCALE");
        if (string.IsNullOrEmpty(text))
        {
            return 1;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int factor) && factor is >= 1 and <= 1000
            ? factor
            : throw new InvalidOperationException($"CORTEX_RELIABILITY_SCALE must be an integer from 1 to 1000, not '{text}'");
    }
}
