using System.Buffers;
using System.Globalization;
using System.Text;
using Cortex.Llmd.Hosting.Connections;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// What a connection the limits refuse receives on an HTTP/1.1 listener of the OpenAI-compatible door:
/// a whole response with OpenAI's error object, so an SDK raises its typed error (RateLimitError for
/// the caller's own uid over its limit, InternalServerError's 503 for a full daemon) with the limit
/// named, instead of a connection error. HTTP/2's GOAWAY would be gibberish to an HTTP/1.1 client.
/// </summary>
internal static class Http1Refusal
{
    public static readonly RefusalStyle Style = new(Build, AwaitsRequest: true);

    public static byte[] Build(ConnectionRefusal refusal, string reason)
    {
        OpenAiError error = refusal == ConnectionRefusal.PerUidLimit
            ? new(429, OpenAiErrors.RateLimitType, "connection_limit", reason)
            : new(503, OpenAiErrors.ServerErrorType, "connection_limit", reason);
        var body = new ArrayBufferWriter<byte>(256);
        OpenAiErrors.Write(body, error);
        string head = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {error.Status} {(error.Status == 429 ? "Too Many Requests" : "Service Unavailable")}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.WrittenCount}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n");
        byte[] response = new byte[Encoding.ASCII.GetByteCount(head) + body.WrittenCount];
        int written = Encoding.ASCII.GetBytes(head, response);
        body.WrittenSpan.CopyTo(response.AsSpan(written));
        return response;
    }
}
