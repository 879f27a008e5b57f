using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.OpenAi;

/// <summary>Writes the door's whole (not streamed) responses: JSON bodies and OpenAI error objects.</summary>
internal static class OpenAiResponses
{
    public const string JsonType = "application/json";

    public static Task WriteErrorAsync(HttpResponse response, OpenAiError error, CancellationToken cancellationToken)
    {
        response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers[CortexHeaders.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (error.ShouldRetry is { } retry)
        {
            response.Headers[CortexHeaders.ShouldRetry] = retry ? "true" : "false";
        }

        return WriteJsonAsync(response, output => OpenAiErrors.Write(output, error), cancellationToken);
    }

    /// <summary>Builds the body in pooled memory, then sends it with its length in one write.</summary>
    public static async Task WriteJsonAsync(HttpResponse response, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBuffer();
        write(buffer);
        response.ContentType = JsonType;
        response.ContentLength = buffer.Written.Length;
        await response.Body.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
    }
}
