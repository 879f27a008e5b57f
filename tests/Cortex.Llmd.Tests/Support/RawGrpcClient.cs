using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Support;

/// <summary>What came back from one raw call: HTTP status, headers, framed messages and trailers.</summary>
public sealed record RawResponse(HttpStatusCode HttpStatus, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, IReadOnlyList<byte[]> Messages, HttpResponseHeaders Trailers)
{
    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    public StatusCode? Status =>
        Value("grpc-status") is { } s ? (StatusCode)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>grpc-message, percent-decoded.</summary>
    public string Message => Uri.UnescapeDataString(Value("grpc-message") ?? string.Empty);

    public string? Value(string name) =>
        Trailers.TryGetValues(name, out IEnumerable<string>? t) ? string.Join(",", t)
        : Headers.TryGetValues(name, out IEnumerable<string>? h) ? string.Join(",", h)
        : null;
}

/// <summary>
/// An HTTP/2 client over a Unix socket that sends exactly the bytes a test asks for, so the server can
/// be fed malformed frames and protocol versions a real gRPC client would never produce. Well-formed
/// calls go through the generated clients (<see cref="DaemonChannel"/>) instead.
/// </summary>
public sealed class RawGrpcClient : IDisposable
{
    public const int FrameHeaderSize = 5;

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

    /// <summary>The gRPC length-prefixed message: a compressed flag, a big-endian length, the payload.</summary>
    public static byte[] Frame(byte[] payload, bool compressed = false)
    {
        byte[] framed = new byte[FrameHeaderSize + payload.Length];
        framed[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(framed, FrameHeaderSize);
        return framed;
    }

    public Task<RawResponse> SendAsync(
        string path, byte[] body, string contentType = "application/grpc", IEnumerable<KeyValuePair<string, string>>? headers = null, HttpMethod? method = null) =>
        SendAsync(path, new ByteArrayContent(body), contentType, headers, method);

    /// <summary>Sends any content, for example one that holds its bytes back until a deadline passed.</summary>
    public async Task<RawResponse> SendAsync(
        string path, HttpContent body, string contentType = "application/grpc", IEnumerable<KeyValuePair<string, string>>? headers = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path)
        {
            Version = Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (method != HttpMethod.Get)
        {
            request.Content = body;
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (KeyValuePair<string, string> header in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        byte[] bytes;
        try
        {
            bytes = await response.Content.ReadAsByteArrayAsync();
        }
        catch (HttpRequestException)
        {
            // The server reset the stream after a trailers-only answer (a passed deadline does that): keep the headers.
            bytes = [];
        }

        return new RawResponse(response.StatusCode, response.Headers, response.Content.Headers, SplitFrames(bytes), response.TrailingHeaders);
    }

    private static List<byte[]> SplitFrames(byte[] bytes)
    {
        var messages = new List<byte[]>();
        int offset = 0;
        while (offset + FrameHeaderSize <= bytes.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 1));
            if (length > bytes.Length - offset - FrameHeaderSize)
            {
                break;
            }

            messages.Add(bytes.AsSpan(offset + FrameHeaderSize, length).ToArray());
            offset += FrameHeaderSize + length;
        }

        return messages;
    }

    public void Dispose() => _http.Dispose();
}
