namespace Cortex.Llmd.Telemetry;

/// <summary>Instrument and attribute names: the GenAI semantic conventions' where they have one, ours under cortex.*.</summary>
public static class MetricNames
{
    public const string MeterName = "Cortex.Llmd";

    public const string TokenUsage = "gen_ai.client.token.usage";
    public const string OperationDuration = "gen_ai.client.operation.duration";
    public const string TimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk";
    public const string RequestDuration = "cortex.llmd.request.duration";
    public const string Attempts = "cortex.llmd.attempts";
    public const string Cost = "cortex.llmd.cost";

    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string Route = "cortex.route";
    public const string Task = "cortex.task";
    public const string Door = "cortex.door";
    public const string Outcome = "cortex.attempt.outcome";
    public const string Priced = "cortex.cost.priced";

    /// <summary>Every call the daemon makes is a chat completion.</summary>
    public const string Chat = "chat";

    /// <summary>The convention's two token types. Input counts cached prompt tokens too, output counts reasoning tokens.</summary>
    public const string Input = "input";
    public const string Output = "output";

    /// <summary>Subsets of input and output the convention has no token type for; never add them to input or output.</summary>
    public const string InputCacheRead = "input.cache_read";
    public const string InputCacheCreation = "input.cache_creation";
    public const string OutputReasoning = "output.reasoning";

    /// <summary>The convention's advice for gen_ai.client.token.usage.</summary>
    public static readonly double[] TokenBuckets =
        [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>The convention's advice for gen_ai.client.operation.duration, used for every duration here.</summary>
    public static readonly double[] DurationBuckets =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
}
