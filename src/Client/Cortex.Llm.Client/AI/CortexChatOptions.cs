namespace Cortex.Llm.Client.AI;

/// <summary>
/// Keys of <c>ChatOptions.AdditionalProperties</c> that <see cref="CortexChatClient"/> reads: how the
/// daemon routes the call and whom it bills. <c>ChatOptions.ModelId</c> may instead name a concrete
/// <c>provider/model</c>, which forces that target.
/// </summary>
public static class CortexChatOptions
{
    /// <summary>A named route: local, fast, economy, balanced, quality, or any route in the daemon's config.</summary>
    public const string Route = "cortex.route";

    /// <summary>A task type, by its config name (<c>error_debugging</c>) or enum name (<c>ErrorDebugging</c>).</summary>
    public const string Task = "cortex.task";

    /// <summary>The tenant the call is billed to and budgeted under.</summary>
    public const string Tenant = "cortex.tenant";

    /// <summary>Set on a response: its cost in nano-USD, as the daemon billed it.</summary>
    public const string CostNanoUsd = "cortex.cost_nano_usd";

    /// <summary>Set on a response: the daemon's request id (also the response id).</summary>
    public const string RequestId = "cortex.request_id";
}
