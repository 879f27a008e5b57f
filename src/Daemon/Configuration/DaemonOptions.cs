using Cortex.Llm.V1;
using Cortex.Llmd.Pricing;
using Cortex.Llmd.Providers;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Configuration;

/// <summary>The whole validated configuration. Immutable: a reload builds a new one.</summary>
public sealed record DaemonOptions
{
    public required ServerOptions Server { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public required IReadOnlyDictionary<string, ProviderOptions> Providers { get; init; }

    public required IReadOnlyDictionary<string, RouteOptions> Routes { get; init; }

    public required TaskRoutingOptions Tasks { get; init; }

    public ValidationOptions Validation { get; init; } = new();

    public Health.HealthOptions Health { get; init; } = new();

    public Ledger.LedgerOptions Ledger { get; init; } = new();

    /// <summary>Spend limits, checked in order before a request calls any provider.</summary>
    public IReadOnlyList<Budgets.BudgetOptions> Budgets { get; init; } = [];

    /// <summary>Output tokens a request without max_tokens reserves against budgets.</summary>
    public long BudgetDefaultMaxTokens { get; init; } = Cortex.Llmd.Budgets.BudgetOptions.DefaultMaxTokens;
}

public sealed record ServerOptions
{
    /// <summary>Null means the default for the user running the daemon (see SocketPaths).</summary>
    public string? SocketPath { get; init; }

    public UnixFileMode SocketMode { get; init; } = (UnixFileMode)0b110_110_000; // 0660

    /// <summary>Group given to the socket file when that group exists; empty disables.</summary>
    public string SocketGroup { get; init; } = "cortex";

    /// <summary>grpc-dotnet's own default (4 MiB), kept explicit because the API doc promises it.</summary>
    public int MaxReceiveMessageBytes { get; init; } = 4 * 1024 * 1024;

    public int MaxConcurrentStreams { get; init; } = 256;

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Serve gRPC server reflection, so grpcurl can list and describe the services.</summary>
    public bool Reflection { get; init; } = true;
}

/// <summary>One configured provider. Kind-specific settings were parsed and validated by its factory.</summary>
public sealed record ProviderOptions(string Name, string Kind, string? DefaultModel, IProviderSettings Settings)
{
    public IReadOnlyDictionary<string, ModelOptions> Models { get; init; } = new Dictionary<string, ModelOptions>();

    public ModelCapabilities DefaultCapabilities { get; init; } = ModelCapabilities.Default;

    /// <summary>How this provider's targets are attempted unless a route's target says otherwise.</summary>
    public TargetPolicy Policy { get; init; } = TargetPolicy.Cloud;

    public ModelCapabilities CapabilitiesOf(string model) => Models.TryGetValue(model, out ModelOptions? m) ? m.Capabilities : DefaultCapabilities;

    /// <summary>Null when the model has no configured price: its cost is then unknown, never $0.</summary>
    public ModelPrice? PriceOf(string model) => Models.TryGetValue(model, out ModelOptions? m) ? m.Price : null;
}

/// <summary>What the config says about one model of a provider.</summary>
public sealed record ModelOptions(ModelCapabilities Capabilities, ModelPrice? Price);

/// <summary>A provider and a model: the unit routing chooses and attempts.</summary>
public sealed record TargetRef(string Provider, string Model)
{
    public override string ToString() => Provider + "/" + Model;
}

/// <summary>A target as a route lists it, with the policy and weight that apply within that route.</summary>
public sealed record RouteTarget(TargetRef Ref, TargetPolicy Policy, double Weight);

public sealed record RouteOptions(string Name, IReadOnlyList<RouteTarget> Targets, IReadOnlyList<string> Fallbacks)
{
    /// <summary>Name of the strategy ordering the targets (see Routing/Strategies).</summary>
    public string Strategy { get; init; } = "priority";

    /// <summary>For lowest-latency: the share of requests that try a random other target first.</summary>
    public double Exploration { get; init; } = 0.05;
}

public sealed record TaskRoutingOptions(string DefaultRoute, IReadOnlyDictionary<TaskType, string> Routes)
{
    public string RouteFor(TaskType task) => Routes.TryGetValue(task, out string? route) ? route : DefaultRoute;
}
