namespace Cortex.Llmd.Stats;

/// <summary>The daemon's front doors, by the names the ledger, statistics and events use for them.</summary>
public static class FrontDoors
{
    /// <summary>The native gRPC socket.</summary>
    public const string Grpc = "grpc";

    /// <summary>The OpenAI-compatible HTTP endpoint (Chat Completions).</summary>
    public const string OpenAi = "openai";
}
