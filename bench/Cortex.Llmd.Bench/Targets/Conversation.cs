using System.Globalization;
using System.Text;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Bench.Targets;

/// <summary>The one conversation every path sends, as an OpenAI JSON body and as the daemon's gRPC message.</summary>
internal static class Conversation
{
    public const string System = "You are a terse assistant.";
    public const string User = "Say hello to the benchmark.";
    public const int MaxTokens = 32;

    /// <summary>Content chunks of the long stream (set once from the options, before any target is built).</summary>
    public static int LongChunks { get; set; } = 2_000;

    public static string LongModel => "long-" + LongChunks.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A Chat Completions body; streams ask for the usage chunk, as the daemon's adapter does. The long
    /// stream (a <c>long-N</c> model, or <paramref name="limitTokens"/> false for a route to one) has no max_tokens.
    /// </summary>
    public static byte[] OpenAiBody(string model, bool stream, bool limitTokens = true)
    {
        string tail = stream ? ""","stream":true,"stream_options":{"include_usage":true}}""" : ""","stream":false}""";
        string maxTokens = !limitTokens || model.StartsWith("long-", StringComparison.Ordinal) ? string.Empty : ""","max_tokens":""" + MaxTokens.ToString(CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(
            $$"""{"model":"{{model}}","messages":[{"role":"system","content":"{{System}}"},{"role":"user","content":"{{User}}"}]{{maxTokens}}{{tail}}""");
    }

    public static CompleteRequest Grpc(string route, bool limitTokens)
    {
        var request = new CompleteRequest
        {
            Route = route,
            TaskType = TaskType.UserChat,
            Messages =
            {
                new Message { Role = Role.System, Content = System },
                new Message { Role = Role.User, Content = User },
            },
        };
        if (limitTokens)
        {
            request.MaxTokens = MaxTokens;
        }

        return request;
    }
}
