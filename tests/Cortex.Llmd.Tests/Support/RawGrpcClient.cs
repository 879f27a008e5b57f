using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llmd.Tests.Support;

/// <summary>What came back from one raw call: HTTP status, headers, framed messages and trailers.</summary>
public sealed record RawResponse(HttpStatusCode HttpStatus, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, IReadOnlyList<byte[]> Messages, HttpResponseHeaders Trailers)
{
    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    public GrpcStatusCode? Status =>
        Value(GrpcProtocol.StatusHeader) is { } s ? (GrpcStatusCode)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;

    public string Message => GrpcMessageEncoding.Decode(Value(GrpcProtocol.MessageHeader));

    public string? Value(string name) =>
        Trailers.TryGetValues(name, out IEnumerable<string>? t) ? string.Join(",", t)
        : Headers.TryGetValues(name, out IEnumerable<string>? h) ? string.Join(",", h)
        : null;
}

/// <summary>
/// An HTTP/2 client over a Unix socket that sends exactly the bytes a test asks for, so the wire layer
/// can be fed malformed frames a real gRPC client would never produce.
/// </summary>
public sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _http;

    public RawGrpcClient(string socketPath, Version? version = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromSeconds(30) };
        Version = version ?? HttpVersion.Version20;
    }

    public Version Version { get; }

    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray());

    public static byte[] Frame(byte[] payload, bool compressed = false)
    {
        byte[] framed = new byte[GrpcFrame.HeaderSize + payload.Length];
        GrpcFrame.WriteHeader(framed, compressed, payload.Length);
        payload.CopyTo(framed, GrpcFrame.HeaderSize);
        return framed;
    }

    public async Task<RawResponse> SendAsync(
        string path, byte[] body, string contentType = "application/grpc", IEnumerable<KeyValuePair<string, string>>? headers = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path)
        {
            Version = Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (method != HttpMethod.Get)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (KeyValuePair<string, string> header in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse(response.StatusCode, response.Headers, response.Content.Headers, SplitFrames(bytes), response.TrailingHeaders);
    }

    private static List<byte[]> SplitFrames(byte[] bytes)
    {
        var messages = new List<byte[]>();
        int offset = 0;
        while (offset + GrpcFrame.HeaderSize <= bytes.Length)
        {
            int length = (bytes[offset + 1] << 24) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 8) | bytes[offset + 4];
            messages.Add(bytes.AsSpan(offset + GrpcFrame.HeaderSize, length).ToArray());
            offset += GrpcFrame.HeaderSize + length;
        }

        return messages;
    }

    public void Dispose() => _http.Dispose();
}
