using System.Buffers;
using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// One stream's server-sent events in OpenAI's <c>chat.completion.chunk</c> shape. The first frame of
/// every stream is the assistant role with empty content; content and tool-call pieces follow as they
/// come; the end is a chunk with an empty delta and the finish reason, then (with include_usage) a chunk
/// with no choices and the usage, then <c>data: [DONE]</c>. A stream that fails ends with an
/// <c>event: error</c> frame and no [DONE]: a clean [DONE] would tell the caller a cut answer was whole.
/// Not thread-safe: one writer per response, used by the one task that writes the body.
/// </summary>
public sealed class ChatCompletionChunkWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] ErrorPrefix = "event: error\ndata: "u8.ToArray();
    private static readonly byte[] FrameEnd = "\n\n"u8.ToArray();
    private static readonly byte[] DoneFrame = "data: [DONE]\n\n"u8.ToArray();

    private readonly string _id;
    private readonly string _requestId;
    private readonly string _model;
    private readonly long _created;
    private readonly bool _includeUsage;
    private readonly HashSet<uint> _startedCalls = [];
    private bool _wroteContent;

    /// <param name="requestId">The core's request id; the chunks' id is "chatcmpl-" and it, as in the whole answer.</param>
    /// <param name="requestedModel">The model id the caller sent, echoed in every chunk (see <see cref="ChatCompletionWriter"/>).</param>
    /// <param name="createdUnixSeconds">One time for every chunk, as OpenAI sends.</param>
    /// <param name="includeUsage">stream_options.include_usage: every chunk carries "usage": null and a usage chunk ends the stream.</param>
    public ChatCompletionChunkWriter(string requestId, string requestedModel, long createdUnixSeconds, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(requestedModel);
        _requestId = requestId;
        _id = ChatCompletionParts.CompletionId(requestId);
        _model = requestedModel;
        _created = createdUnixSeconds;
        _includeUsage = includeUsage;
    }

    /// <summary>True once the role frame was written: from then on the HTTP status can no longer change.</summary>
    public bool Started { get; private set; }

    /// <summary>True once [DONE] or the error frame was written; nothing may follow.</summary>
    public bool Finished { get; private set; }

    /// <summary>The role frame. Written by the first other call when not called first; later calls do nothing.</summary>
    public void WriteStart(IBufferWriter<byte> output)
    {
        EnsureOpen();
        if (Started)
        {
            return;
        }

        Started = true;
        WriteFrame(output, json =>
        {
            json.WriteString("role", "assistant");
            json.WriteString("content", string.Empty);
        }, finishReason: null);
    }

    /// <summary>Any chunk of the core's stream; the final one ends the stream.</summary>
    public void Write(IBufferWriter<byte> output, CompleteChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        switch (chunk.KindCase)
        {
            case CompleteChunk.KindOneofCase.ContentDelta:
                WriteContent(output, chunk.ContentDelta);
                break;
            case CompleteChunk.KindOneofCase.ToolCallDelta:
                WriteToolCall(output, chunk.ToolCallDelta);
                break;
            case CompleteChunk.KindOneofCase.Final:
                WriteEnd(output, chunk.Final);
                break;
        }
    }

    public void WriteContent(IBufferWriter<byte> output, string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        WriteStart(output);
        if (delta.Length == 0)
        {
            return;
        }

        _wroteContent = true;
        WriteFrame(output, json => json.WriteString("content", delta), finishReason: null);
    }

    /// <summary>
    /// A piece of a tool call. The first piece of each call index carries its id, type and name, as
    /// OpenAI's do; later pieces carry only arguments text, which the caller concatenates.
    /// </summary>
    public void WriteToolCall(IBufferWriter<byte> output, ToolCallDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        WriteStart(output);
        bool first = _startedCalls.Add(delta.Index);
        WriteFrame(output, json =>
        {
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteNumber("index", delta.Index);
            if (first)
            {
                json.WriteString("id", ToolCallIds.Of(delta.Id, _requestId, (int)delta.Index));
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", delta.Name);
                json.WriteString("arguments", delta.ArgumentsDelta);
            }
            else
            {
                json.WriteStartObject("function");
                json.WriteString("arguments", delta.ArgumentsDelta);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }, finishReason: null);
    }

    /// <summary>The finish chunk, the usage chunk when asked for, and [DONE].</summary>
    public void WriteEnd(IBufferWriter<byte> output, CompleteResponse final)
    {
        ArgumentNullException.ThrowIfNull(final);
        WriteStart(output);
        WriteUnstreamedParts(output, final);
        WriteFrame(output, static _ => { }, ChatCompletionParts.FinishReasonName(final.FinishReason));
        if (_includeUsage)
        {
            WriteJsonFrame(output, DataPrefix, json =>
            {
                json.WriteStartObject();
                ChatCompletionParts.WriteHeader(json, _id, "chat.completion.chunk", _created, _model);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                ChatCompletionParts.WriteUsage(json, final.Usage);
                json.WriteEndObject();
            });
        }

        output.Write(DoneFrame);
        Finished = true;
    }

    /// <summary>Ends a failed stream: an <c>event: error</c> frame with OpenAI's error object, and no [DONE].</summary>
    public void WriteError(IBufferWriter<byte> output, OpenAiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        EnsureOpen();
        WriteJsonFrame(output, ErrorPrefix, json => OpenAiErrors.WriteObject(json, error));
        Finished = true;
    }

    /// <summary>A final answer whose text or calls did not come as pieces (the core streams them, but a whole answer must not be lost).</summary>
    private void WriteUnstreamedParts(IBufferWriter<byte> output, CompleteResponse final)
    {
        if (!_wroteContent && final.Content.Length > 0)
        {
            WriteContent(output, final.Content);
        }

        if (_startedCalls.Count == 0)
        {
            for (int i = 0; i < final.ToolCalls.Count; i++)
            {
                ToolCall call = final.ToolCalls[i];
                WriteToolCall(output, new ToolCallDelta { Index = (uint)i, Id = call.Id, Name = call.Name, ArgumentsDelta = ToolCallIds.Arguments(call.ArgumentsJson) });
            }
        }
    }

    private void WriteFrame(IBufferWriter<byte> output, Action<Utf8JsonWriter> writeDelta, string? finishReason) =>
        WriteJsonFrame(output, DataPrefix, json =>
        {
            json.WriteStartObject();
            ChatCompletionParts.WriteHeader(json, _id, "chat.completion.chunk", _created, _model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            writeDelta(json);
            json.WriteEndObject();
            json.WriteNull("logprobs");
            if (finishReason is null)
            {
                json.WriteNull("finish_reason");
            }
            else
            {
                json.WriteString("finish_reason", finishReason);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            if (_includeUsage)
            {
                json.WriteNull("usage");
            }

            json.WriteEndObject();
        });

    private static void WriteJsonFrame(IBufferWriter<byte> output, byte[] prefix, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(prefix);
        using (Utf8JsonWriter json = OpenAiJson.Writer(output))
        {
            write(json);
        }

        output.Write(FrameEnd);
    }

    private void EnsureOpen()
    {
        if (Finished)
        {
            throw new InvalidOperationException("the stream has already ended");
        }
    }
}
