using System.Buffers.Binary;
using Cortex.Llm.Wire;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Cortex.Llm.Client.Tests.Fakes;

/// <summary>Just enough of the gRPC server protocol for the fake, written separately from the client's code on purpose.</summary>
public static class GrpcServerHelpers
{
    public const string Router = "/cortex.llm.v1.Router/";

    public static async Task<T> ReadGrpcRequestAsync<T>(this HttpContext context, MessageParser<T> parser)
        where T : IMessage<T>
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        byte[] bytes = buffer.ToArray();
        if (bytes.Length < 5 || bytes[0] != 0)
        {
            throw new InvalidOperationException("Request is not one uncompressed gRPC frame.");
        }

        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1));
        if (bytes.Length != 5 + length)
        {
            throw new InvalidOperationException($"Frame length {length} does not match the body of {bytes.Length} bytes.");
        }

        return parser.ParseFrom(bytes.AsSpan(5, length));
    }

    /// <summary>Sends response headers (status 200, gRPC content type) if not yet sent, then one message frame.</summary>
    public static async Task WriteGrpcMessageAsync(this HttpContext context, IMessage message)
    {
        EnsureGrpcContentType(context);
        byte[] payload = message.ToByteArray();
        byte[] frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        await context.Response.Body.WriteAsync(frame, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteRawAsync(this HttpContext context, byte[] bytes)
    {
        EnsureGrpcContentType(context);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Ends a normal response: the status goes in trailers, after the body.</summary>
    public static void SetTrailerStatus(this HttpContext context, GrpcStatusCode code, string? message = null)
    {
        EnsureGrpcContentType(context);
        context.Response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcMessageEncoding.Encode(message));
        }
    }

    /// <summary>A trailers-only response: the status travels in the only HEADERS frame and there is no body.</summary>
    public static void SetTrailersOnlyStatus(this HttpContext context, GrpcStatusCode code, string? message = null)
    {
        context.Response.ContentType = GrpcProtocol.ContentType;
        context.Response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (message is not null)
        {
            context.Response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(message);
        }
    }

    /// <summary>Answers a unary call with one message and status OK in trailers.</summary>
    public static async Task RespondUnaryAsync(this HttpContext context, IMessage message)
    {
        await context.WriteGrpcMessageAsync(message);
        context.SetTrailerStatus(GrpcStatusCode.OK);
    }

    // Headers become read-only once the first body byte is sent.
    private static void EnsureGrpcContentType(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.ContentType = GrpcProtocol.ContentType;
        }
    }
}
