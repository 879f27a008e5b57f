using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cortex.Llmd.OpenAi;

/// <summary>The JSON settings every writer and reader of this door shares.</summary>
internal static class OpenAiJson
{
    /// <summary>
    /// Relaxed escaping writes non-ASCII text as UTF-8 (a third of the bytes of \uXXXX for CJK answers);
    /// the HTML safety it gives up does not matter in an API body. Never indented: an SSE data line must
    /// hold the whole chunk, and control characters inside strings are always escaped.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The deepest nesting a request may have: deep enough for any real tool schema, shallow enough to bound recursion.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Strict JSON. A repeated property is refused: a proxy in front of us may read the first "model" and
    /// we the last, and such ambiguity is how policy checks get bypassed.
    /// </summary>
    public static readonly JsonDocumentOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    public static Utf8JsonWriter Writer(IBufferWriter<byte> output) => new(output, WriterOptions);
}
