using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>Plain HttpClients for the OpenAI-compatible door: over its Unix socket or its TCP address.</summary>
internal static class OpenAiDoorClient
{
    public static HttpClient OverSocket(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        BaseAddress = new Uri("http://localhost/"),
    };

    public static HttpClient OverTcp(int port, bool http2 = false) => new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public static StringContent Chat(string model, string prompt = "hi", bool stream = false, string? extra = null) => new(
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{prompt}}"}]{{(stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : string.Empty)}}{{extra ?? string.Empty}}}""",
        Encoding.UTF8,
        "application/json");

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>The SSE body's events, in order: (event name or "message", data).</summary>
    public static List<(string Event, string Data)> SseEvents(string body)
    {
        var events = new List<(string, string)>();
        foreach (string block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string name = "message";
            string data = string.Empty;
            foreach (string line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
            }

            events.Add((name, data));
        }

        return events;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values) : string.Empty;
}
