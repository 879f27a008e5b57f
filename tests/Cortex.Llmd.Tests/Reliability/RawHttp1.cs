using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>An HTTP/1.1 response as read off a raw connection: status, header lines in order, the body de-chunked.</summary>
internal sealed record RawHttpAnswer(int Status, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body, int HeaderBytes)
{
    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// HTTP/1.1 over a fresh Unix-socket connection with exactly the bytes a test chose: the request lines,
/// header bytes and bodies HttpClient refuses to send, or sends only correctly.
/// </summary>
internal static class RawHttp1
{
    /// <summary>
    /// Sends <paramref name="request"/>, then reads until one whole response arrived, the daemon closes,
    /// or <paramref name="timeout"/> passes. Null when nothing came back (the connection was closed or
    /// reset without an answer).
    /// </summary>
    public static async Task<RawHttpAnswer?> ExchangeAsync(string socketPath, byte[] request, TimeSpan timeout)
    {
        using Socket socket = await ConnectAsync(socketPath);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, deadline.Token);
        }
        catch (SocketException)
        {
            // Closed before all of it was sent (an oversize header block, say): what came back still counts.
        }

        return Parse(await ReadToEndAsync(socket, deadline.Token, stopAtWholeResponse: true));
    }

    public static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return socket;
    }

    /// <summary>
    /// Everything received until EOF, a reset, or the token (or one whole response, when asked: a
    /// server may rightly keep the connection open to drain a body it refused); whatever arrived so far.
    /// </summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken, bool stopAtWholeResponse = false)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, n);
                if (stopAtWholeResponse && IsWhole(received.GetBuffer().AsSpan(0, (int)received.Length)))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
        }

        return received.ToArray();
    }

    /// <summary>The first response in <paramref name="raw"/>; null for no bytes, a status of -1 for bytes that are no HTTP response.</summary>
    public static RawHttpAnswer? Parse(byte[] raw)
    {
        if (raw.Length == 0)
        {
            return null;
        }

        int end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        string[] lines = Encoding.Latin1.GetString(raw, 0, end < 0 ? raw.Length : end).Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        if (end < 0 || statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            return new RawHttpAnswer(-1, [], raw, raw.Length);
        }

        var headers = new List<(string, string)>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(colon < 0 ? (line, string.Empty) : (line[..colon], line[(colon + 1)..].Trim()));
        }

        var answer = new RawHttpAnswer(status, headers, [], end + 4);
        byte[] rest = raw[(end + 4)..];
        if (answer.Header("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            return answer with { Body = Dechunk(rest) };
        }

        return int.TryParse(answer.Header("content-length"), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            ? answer with { Body = rest[..Math.Min(length, rest.Length)] }
            : answer with { Body = rest };
    }

    /// <summary>Headers and the whole body they announce (by Content-Length, or chunked up to the last chunk).</summary>
    private static bool IsWhole(ReadOnlySpan<byte> raw)
    {
        int end = raw.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        RawHttpAnswer? head = Parse(raw[..(end + 4)].ToArray());
        ReadOnlySpan<byte> body = raw[(end + 4)..];
        if (head?.Header("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            return body.StartsWith("0\r\n\r\n"u8) || body.IndexOf("\r\n0\r\n\r\n"u8) >= 0;
        }

        return int.TryParse(head?.Header("content-length"), NumberStyles.None, CultureInfo.InvariantCulture, out int length) && body.Length >= length;
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        using var body = new MemoryStream();
        int at = 0;
        while (at < chunked.Length)
        {
            int lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(chunked, at, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size) || size == 0)
            {
                break;
            }

            at += lineEnd + 2;
            body.Write(chunked, at, Math.Min(size, chunked.Length - at));
            at += size + 2;
        }

        return body.ToArray();
    }
}
