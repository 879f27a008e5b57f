using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Cortex.Llmd.Bench.Mock;

/// <summary>
/// Every byte the mock sends, built once per model and reused: the mock must cost far less than any
/// gateway in front of it. Model names: <c>fail-500</c> answers HTTP 500; <c>long-N</c> streams N content
/// chunks; any other name gets the short answer (five words).
/// </summary>
internal sealed class MockReplies
{
    public const string FailModel = "fail-500";
    public const string LongModelPrefix = "long-";
    public static readonly string[] ShortWords = ["Hello", " from", " the", " bench", " mock."];

    public static readonly byte[] Models = Encoding.UTF8.GetBytes(
        """{"object":"list","data":[{"id":"bench","object":"model","created":1764633600,"owned_by":"bench"},{"id":"fail-500","object":"model","created":1764633600,"owned_by":"bench"}]}""");

    public static readonly byte[] ServerError = Encoding.UTF8.GetBytes(
        """{"error":{"message":"bench mock: this model always fails","type":"server_error","param":null,"code":null}}""");

    public static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly ConcurrentDictionary<string, ModelReplies> _byModel = new(StringComparer.Ordinal);

    public ModelReplies For(string model) => _byModel.GetOrAdd(model, static m => ModelReplies.Build(m));
}

/// <summary>One model's whole answer (non-streaming), and its stream as separately sent chunks.</summary>
internal sealed class ModelReplies
{
    private ModelReplies(byte[] completion, byte[][] chunks, byte[] finish, byte[] usage)
    {
        Completion = completion;
        Chunks = chunks;
        Finish = finish;
        Usage = usage;
    }

    public byte[] Completion { get; }

    /// <summary>Content chunks; the first also carries the assistant role, as OpenAI's first delta does.</summary>
    public byte[][] Chunks { get; }

    /// <summary>The empty delta with finish_reason "stop".</summary>
    public byte[] Finish { get; }

    /// <summary>The include_usage chunk: empty choices, usage with prompt_tokens_details.cached_tokens.</summary>
    public byte[] Usage { get; }

    public static ModelReplies Build(string model)
    {
        string[] words = Words(model);
        string name = Escape(model);
        string usage = $$$"""{"prompt_tokens":24,"completion_tokens":{{{words.Length}}},"total_tokens":{{{24 + words.Length}}},"prompt_tokens_details":{"cached_tokens":8,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}""";
        string head = $$"""{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764633600,"model":"{{name}}","system_fingerprint":"fp_bench","choices":""";
        var chunks = new byte[words.Length][];
        for (int i = 0; i < words.Length; i++)
        {
            string delta = i == 0 ? $$"""{"role":"assistant","content":"{{words[i]}}"}""" : $$"""{"content":"{{words[i]}}"}""";
            chunks[i] = Sse(head + $$"""[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":null}]}""");
        }

        string completion = $$"""{"id":"chatcmpl-bench","object":"chat.completion","created":1764633600,"model":"{{name}}","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"{{string.Concat(words)}}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{{usage}}}""";
        return new ModelReplies(
            Encoding.UTF8.GetBytes(completion),
            chunks,
            Sse(head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"""),
            Sse(head + $$"""[],"usage":{{usage}}}"""));
    }

    private static string[] Words(string model)
    {
        if (model.StartsWith(MockReplies.LongModelPrefix, StringComparison.Ordinal)
            && int.TryParse(model.AsSpan(MockReplies.LongModelPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count is > 0 and <= 10_000_000)
        {
            var words = new string[count];
            Array.Fill(words, " tok");
            words[0] = "tok";
            return words;
        }

        return MockReplies.ShortWords;
    }

    private static byte[] Sse(string json) => Encoding.UTF8.GetBytes("data: " + json + "\n\n");

    /// <summary>Model names come from requests: keep anything odd out of the JSON.</summary>
    private static string Escape(string model)
    {
        var safe = new StringBuilder(model.Length);
        foreach (char c in model)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/' or ':' ? c : '_');
        }

        return safe.ToString();
    }
}
