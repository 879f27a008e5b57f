using Cortex.Llm.V1;
using Cortex.Llmd.Routing;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// The streamed answer as server-sent events. The response starts (status 200, event-stream headers,
/// the role chunk) only with the first piece: a request that fails before any piece still gets its
/// error as a whole HTTP response with the right status, and fallback stays possible until then. Each
/// event is built in one pooled buffer and sent, and flushed, in one write.
/// </summary>
internal sealed class SseChunkSink(HttpResponse response, ChatCompletionChunkWriter chunks) : IChunkSink, IDisposable
{
    public const string EventStreamType = "text/event-stream";

    private readonly PooledBuffer _frame = new();

    public bool Started => chunks.Started;

    public ValueTask SendContentAsync(string delta, CancellationToken cancellationToken)
    {
        Start();
        chunks.WriteContent(_frame, delta);
        return SendAsync(cancellationToken);
    }

    public ValueTask SendToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken)
    {
        Start();
        chunks.WriteToolCall(_frame, delta);
        return SendAsync(cancellationToken);
    }

    /// <summary>The end of a stream that succeeded: finish reason, usage when asked for, [DONE].</summary>
    public async Task EndAsync(CompleteResponse final, CancellationToken cancellationToken)
    {
        Start();
        chunks.WriteEnd(_frame, final);
        await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The end of a stream that failed after its first byte: an error event, never a clean [DONE].</summary>
    public async Task FailAsync(OpenAiError error, CancellationToken cancellationToken)
    {
        chunks.WriteError(_frame, error);
        await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _frame.Dispose();

    private void Start()
    {
        if (chunks.Started)
        {
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = EventStreamType;
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx buffer event streams unless told not to.
        response.Headers["X-Accel-Buffering"] = "no";
        chunks.WriteStart(_frame);
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> frame = _frame.Written;
        try
        {
            if (response.HttpContext.RequestAborted.IsCancellationRequested)
            {
                // The caller is gone: stop the provider call rather than keep paying for an answer nobody reads.
                throw new OperationCanceledException("the caller closed the stream");
            }

            await response.Body.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _frame.Clear();
        }
    }
}
