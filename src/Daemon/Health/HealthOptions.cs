using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Health;

/// <summary>
/// Circuit-breaker settings, named as Polly names them. The defaults suit a daemon that sees a few
/// requests a minute per target, not thousands a second: three calls are enough to judge.
/// </summary>
public sealed record BreakerOptions
{
    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 3;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    public static BreakerOptions Parse(ConfigNode node)
    {
        node.AllowOnly("failureRatio", "minimumThroughput", "samplingDuration", "breakDuration");
        var d = new BreakerOptions();
        return new BreakerOptions
        {
            FailureRatio = node.Text("failureRatio") is { } text ? ParseRatio(node, text, d.FailureRatio) : d.FailureRatio,
            MinimumThroughput = (int)node.Number("minimumThroughput", d.MinimumThroughput, 1, 10_000),
            SamplingDuration = node.Duration("samplingDuration", d.SamplingDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            BreakDuration = node.Duration("breakDuration", d.BreakDuration, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)),
        };
    }

    private static double ParseRatio(ConfigNode node, string text, double fallback)
    {
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            && value > 0 && value <= 1)
        {
            return value;
        }

        node.Error("failureRatio", $"'{text}' is not a ratio in (0, 1]");
        return fallback;
    }
}

/// <summary>Active probes: one cheap request per provider every interval, jittered so they never align.</summary>
public sealed record ProbeOptions
{
    public bool Enabled { get; init; } = true;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each wait is the interval plus or minus this share of it.</summary>
    public double Jitter { get; init; } = 0.2;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public static ProbeOptions Parse(ConfigNode node)
    {
        node.AllowOnly("enabled", "interval", "jitterPercent", "timeout");
        var d = new ProbeOptions();
        return new ProbeOptions
        {
            Enabled = node.Flag("enabled", d.Enabled),
            Interval = node.Duration("interval", d.Interval, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)),
            Jitter = node.Number("jitterPercent", 20, 0, 50) / 100.0,
            Timeout = node.Duration("timeout", d.Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)),
        };
    }
}

public sealed record HealthOptions(BreakerOptions Breaker, ProbeOptions Probes)
{
    /// <summary>The longest a provider's Retry-After or rate-limit reset keeps a target skipped; zero turns rate-limit memory off.</summary>
    public static readonly TimeSpan DefaultMaxCooldown = TimeSpan.FromHours(1);

    public HealthOptions()
        : this(new BreakerOptions(), new ProbeOptions())
    {
    }

    public TimeSpan MaxCooldown { get; init; } = DefaultMaxCooldown;

    public static HealthOptions Parse(ConfigNode node)
    {
        node.AllowOnly("breaker", "probes", "maxCooldown");
        return new HealthOptions(BreakerOptions.Parse(node.Child("breaker")), ProbeOptions.Parse(node.Child("probes")))
        {
            MaxCooldown = node.Duration("maxCooldown", DefaultMaxCooldown, TimeSpan.Zero, TimeSpan.FromDays(1)),
        };
    }
}
