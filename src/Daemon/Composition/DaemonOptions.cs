using Cortex.Llmd.Access;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Health;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Ledger;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Composition;

/// <summary>
/// The whole validated configuration: each feature's own options slice, put together. Immutable: a
/// reload builds a new one. Features below the composition see their slice, or an interface of their
/// own that this record implements, never this record.
/// </summary>
public sealed record DaemonOptions : IBudgetSettings, IRoutingOptions
{
    public required ServerOptions Server { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public required IReadOnlyDictionary<string, ProviderOptions> Providers { get; init; }

    public required IReadOnlyDictionary<string, RouteOptions> Routes { get; init; }

    public required TaskRoutingOptions Tasks { get; init; }

    public ValidationOptions Validation { get; init; } = new();

    public HealthOptions Health { get; init; } = new();

    public LedgerOptions Ledger { get; init; } = new();

    /// <summary>Admins, what non-admins see, and the per-caller rate limit.</summary>
    public AccessOptions Access { get; init; } = new();

    /// <summary>The OpenAI-compatible front door: where it listens, if anywhere.</summary>
    public OpenAi.OpenAiOptions OpenAi { get; init; } = new();

    /// <summary>Spend limits, checked in order before a request calls any provider.</summary>
    public IReadOnlyList<BudgetOptions> Budgets { get; init; } = [];

    /// <summary>Output tokens a request without max_tokens reserves against budgets.</summary>
    public long BudgetDefaultMaxTokens { get; init; } = BudgetOptions.DefaultMaxTokens;

    /// <summary>Metrics export (OTLP); read at start only.</summary>
    public Telemetry.TelemetryOptions Telemetry { get; init; } = new();
}
