using System.IO.Pipelines;
using Cortex.Llm.Wire;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llmd.Grpc;

/// <summary>Writes response headers, framed messages and the final status of one call.</summary>
internal static class GrpcResponse
{
    public static void StartIfNeeded(ServerCallContext call)
    {
        if (call.ResponseStarted)
        {
            return;
        }

        HttpResponse response = call.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        foreach (KeyValuePair<string, string> header in call.ResponseHeaders)
        {
            response.Headers.Append(header.Key, header.Value);
        }

        call.ResponseStarted = true;
    }

    public static async Task WriteMessageAsync(ServerCallContext call, IMessage message, CancellationToken cancellationToken)
    {
        StartIfNeeded(call);
        PipeWriter writer = call.HttpContext.Response.BodyWriter;
        int size = message.CalculateSize();
        GrpcFrame.WriteHeader(writer.GetSpan(GrpcFrame.HeaderSize), compressed: false, size);
        writer.Advance(GrpcFrame.HeaderSize);
        message.WriteTo(writer);
        FlushResult flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flush.IsCanceled || flush.IsCompleted)
        {
            // The caller reset the stream: nobody reads what comes next.
            throw new OperationCanceledException("The caller stopped reading the response.");
        }
    }

    /// <summary>
    /// Ends the call with a status: in trailers after messages, or in the headers of a
    /// trailers-only response when nothing was sent yet.
    /// </summary>
    public static void WriteStatus(ServerCallContext call, GrpcStatusCode code, string? detail)
    {
        HttpResponse response = call.HttpContext.Response;
        if (!call.ResponseStarted && !response.HasStarted)
        {
            StartIfNeeded(call);
            response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(detail))
            {
                response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(detail);
            }

            foreach (KeyValuePair<string, string> trailer in call.Trailers)
            {
                response.Headers.Append(trailer.Key, trailer.Value);
            }

            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcMessageEncoding.Encode(detail));
        }

        foreach (KeyValuePair<string, string> trailer in call.Trailers)
        {
            response.AppendTrailer(trailer.Key, trailer.Value);
        }
    }

    /// <summary>An HTTP-level refusal (wrong protocol or content-type) that still tells gRPC clients why.</summary>
    public static void WriteHttpError(HttpResponse response, int httpStatus, GrpcStatusCode code, string detail)
    {
        response.StatusCode = httpStatus;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(detail);
    }
}

/// <summary>The stream writer handed to server-streaming handlers.</summary>
internal sealed class ServerStreamWriter<T>(ServerCallContext call) : IServerStreamWriter<T>
    where T : IMessage
{
    private int _writing;

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        // One writer at a time: interleaved frames would corrupt the stream.
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A previous write is still in progress.");
        }

        try
        {
            await GrpcResponse.WriteMessageAsync(call, message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }
}
