using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// Reads a request body whole, but never more than a limit: a declared Content-Length over it is
/// refused before a byte is read, and a chunked body is refused as soon as it passes the limit. The
/// bytes stay in the pipe's pooled buffers until <see cref="Release"/>.
/// </summary>
internal sealed class RequestBody(PipeReader reader, ReadOnlySequence<byte> bytes)
{
    public ReadOnlySequence<byte> Bytes { get; } = bytes;

    /// <summary>The whole body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        // Kestrel's own limit (30 MB by default) would otherwise stop a body openai.maxRequestBytes allows.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        PipeReader reader = request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return null;
            }
            catch (IOException ex)
            {
                // Kestrel reports some broken bodies as a plain IOException ("Bad chunk size data." for a
                // size past int.MaxValue), and a reset as one: the caller's doing, as its
                // BadHttpRequestExceptions are, so handed on as one for Kestrel to answer (OpenAiEndpoint).
                throw new BadHttpRequestException("the request body could not be read: " + ex.Message, StatusCodes.Status400BadRequest, ex);
            }

            if (read.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(read.Buffer.End);
                return null;
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                return new RequestBody(reader, read.Buffer);
            }

            // Nothing consumed, everything seen: the next read returns all of it plus what arrived since.
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    public void Release() => reader.AdvanceTo(Bytes.End);
}
