using Cortex.Llm.V1;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Providers;

/// <summary>
/// One configured provider. Every call streams: a unary completion is a stream the engine collects,
/// so each adapter has one code path.
/// </summary>
public interface IProvider
{
    string Name { get; }

    string Kind { get; }

    /// <summary>What ListProviders shows: never the key itself.</summary>
    ProviderDescription Describe();

    /// <summary>
    /// Streams the answer. Failures are thrown as <see cref="ProviderException"/>, already classified;
    /// cancellation through <paramref name="cancellationToken"/> is the caller's, not a provider failure.
    /// </summary>
    IAsyncEnumerable<ProviderEvent> StreamAsync(ProviderCall call, CancellationToken cancellationToken);

    /// <summary>
    /// Checks reachability with a request that costs nothing (a model list). Never throws for a
    /// provider failure: the result says what happened. Kinds without a probe return a skipped result.
    /// </summary>
    Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ProbeResult.NotProbed("no probe for kind " + Kind));
}

/// <param name="Unavailable">Why the provider cannot be used at all (for example "no key"); null when it can.</param>
public sealed record ProviderDescription(bool KeyPresent, string BaseUrl, string? Unavailable = null);

/// <summary>The request as one attempt sees it: the caller's request and the model chosen for it.</summary>
public sealed record ProviderCall(CompleteRequest Request, string Model, string RequestId)
{
    /// <summary>What the chosen model supports, from config; adapters use it to shape the request.</summary>
    public ModelCapabilities Capabilities { get; init; } = ModelCapabilities.Default;

    /// <summary>
    /// Nobody watches this answer arrive: the caller is unary and the target has no first-token
    /// timeout. An adapter may then ask the upstream for one whole answer instead of a stream, which
    /// is smaller on the wire and cheaper to parse; it still reports the answer as events.
    /// </summary>
    public bool WholeAnswer { get; init; }
}

/// <summary>Settings a provider kind parsed from its config section.</summary>
public interface IProviderSettings;

/// <summary>Creates providers of one kind; chosen by the "kind" key of a provider's config.</summary>
public interface IProviderFactory
{
    string Kind { get; }

    /// <summary>Reads and validates the kind's own keys, reporting errors on <paramref name="node"/>.</summary>
    IProviderSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys);

    /// <summary>Capabilities of models the config does not describe.</summary>
    ModelCapabilities DefaultCapabilities { get; }

    /// <summary>Attempt policy unless configured: cloud timeouts by default, local kinds override.</summary>
    TargetPolicy DefaultPolicy => TargetPolicy.Cloud;

    IProvider Create(ProviderOptions options, ProviderContext context);
}

/// <summary>What a provider may use from the host. The environment is passed in so key lookup is testable.</summary>
public sealed record ProviderContext(TimeProvider TimeProvider, System.Collections.IDictionary Environment);
