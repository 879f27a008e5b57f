using Cortex.Llm.V1;
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
}

public sealed record ServerOptions
{
    /// <summary>Null means the default for the user running the daemon (see SocketPaths).</summary>
    public string? SocketPath { get; init; }

    public UnixFileMode SocketMode { get; init; } = (UnixFileMode)0b110_110_000; // 0660

    /// <summary>Group given to the socket file when that group exists; empty disables.</summary>
    public string SocketGroup { get; init; } = "cortex";

    public int MaxReceiveMessageBytes { get; init; } = Cortex.Llm.Wire.GrpcProtocol.DefaultMaxReceiveMessageSize;

    public int MaxConcurrentStreams { get; init; } = 256;

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>One configured provider. Kind-specific settings were parsed and validated by its factory.</summary>
public sealed record ProviderOptions(string Name, string Kind, string? DefaultModel, IProviderSettings Settings)
{
    public IReadOnlyDictionary<string, ModelCapabilities> Models { get; init; } = new Dictionary<string, ModelCapabilities>();

    public ModelCapabilities DefaultCapabilities { get; init; } = ModelCapabilities.Default;

    public ModelCapabilities CapabilitiesOf(string model) => Models.TryGetValue(model, out ModelCapabilities? c) ? c : DefaultCapabilities;
}

/// <summary>A provider and a model: the unit routing chooses and attempts.</summary>
public sealed record TargetRef(string Provider, string Model)
{
    public override string ToString() => Provider + "/" + Model;
}

public sealed record RouteOptions(string Name, IReadOnlyList<TargetRef> Targets, IReadOnlyList<string> Fallbacks);

public sealed record TaskRoutingOptions(string DefaultRoute, IReadOnlyDictionary<TaskType, string> Routes)
{
    public string RouteFor(TaskType task) => Routes.TryGetValue(task, out string? route) ? route : DefaultRoute;
}
