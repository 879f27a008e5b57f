using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cortex.Llmd.Hosting;
using Microsoft.AspNetCore.Connections;
using Cortex.Llmd.Hosting.Connections;
using Cortex.Llmd.OpenAi;
using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Cortex.Llmd.Tests.OpenAi.OpenAiDoorClient;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>A connection the limits refuse, as the door's HTTP/1.1 listeners tell the caller why.</summary>
public class Http1RefusalTests
{
    private const string Reason = "connection limit: uid 1000 already has 64 connections (server.maxConnectionsPerUid)";

    [TestCase(true, 429, "rate_limit_error")]
    [TestCase(false, 503, "server_error")]
    public void Build_Refusal_IsAWholeHttp1ResponseWithOpenAisErrorObject(bool perUid, int status, string type)
    {
        ConnectionRefusal refusal = perUid ? ConnectionRefusal.PerUidLimit : ConnectionRefusal.TotalLimit;
        string response = Encoding.ASCII.GetString(Http1Refusal.Build(refusal, Reason));

        int split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string[] head = response[..split].Split("\r\n");
        string body = response[(split + 4)..];
        Assert.That(head[0], Does.StartWith($"HTTP/1.1 {status} "));
        Assert.That(head, Has.Member($"Content-Length: {Encoding.UTF8.GetByteCount(body)}"));
        Assert.That(head, Has.Member("Connection: close"));
        Assert.That(head, Has.Member("Retry-After: 1"));
        using JsonDocument error = JsonDocument.Parse(body);
        JsonElement fields = error.RootElement.GetProperty("error");
        Assert.That(fields.GetProperty("message").GetString(), Is.EqualTo(Reason));
        Assert.That(fields.GetProperty("type").GetString(), Is.EqualTo(type));
        Assert.That(fields.GetProperty("code").GetString(), Is.EqualTo("connection_limit"));
    }

    [Test]
    public void Refusals_Endpoints_Http1ResponseOnlyOnTheDoorsHttp1Listeners()
    {
        var tcp = new IPEndPoint(IPAddress.Loopback, 8642);
        var http1 = new OpenAiOptions { SocketPath = "/run/door.sock", TcpAddress = tcp };
        Func<EndPoint, RefusalStyle> refusals = OpenAiServer.Refusals(http1, inherited: null);

        Assert.That(refusals(new UnixDomainSocketEndPoint("/run/door.sock")), Is.SameAs(Http1Refusal.Style), "the door's socket");
        Assert.That(refusals(new IPEndPoint(IPAddress.Loopback, 8642)), Is.SameAs(Http1Refusal.Style), "the door's TCP address");
        Assert.That(refusals(new UnixDomainSocketEndPoint("/run/llmd.sock")), Is.SameAs(RefusalFrames.Http2), "the gRPC socket");
        Assert.That(refusals(new IPEndPoint(IPAddress.Loopback, 8643)), Is.SameAs(RefusalFrames.Http2), "another address");

        var inherited = new InheritedSocket(4, "llmd-openai");
        Assert.That(OpenAiServer.Refusals(http1, inherited)(new FileHandleEndPoint(4, FileHandleType.Auto)), Is.SameAs(Http1Refusal.Style), "systemd's socket for the door");
        Assert.That(OpenAiServer.Refusals(http1, inherited)(new FileHandleEndPoint(3, FileHandleType.Auto)), Is.SameAs(RefusalFrames.Http2), "systemd's gRPC socket");
        Assert.That(OpenAiServer.Refusals(http1 with { Http2 = true }, null)(tcp), Is.SameAs(RefusalFrames.Http2), "a door listener set to http2 speaks HTTP/2");
    }

    [Test]
    public async Task ChatCompletions_CallerOverItsConnectionLimit_GetsA429NamingTheLimit()
    {
        string directory = TempDirectory.Create();
        try
        {
            string doorSocket = Path.Combine(directory, "openai.sock");
            int port = LoopbackPorts.Free();
            string json = (await File.ReadAllTextAsync(TestDaemon.TestConfigPath)).Replace(
                "\"logging\"",
                $$"""
                "server": { "maxConnections": 50, "maxConnectionsPerUid": 1 },
                "openai": { "socketPath": "{{doorSocket}}", "tcpAddress": "127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}}" },
                "logging"
                """,
                StringComparison.Ordinal);
            await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(json);
            uint uid = NativeMethods.GetEffectiveUserId();
            using Socket held = await RawConnection.OpenAsync(daemon.SocketPath, sendPreface: true);
            await Poll.UntilAsync(() => daemon.App.Services.GetRequiredService<LimitedSocketTransportFactory>().Limiter!.OpenFor(uid) == 1, "the held connection is counted");

            foreach (HttpClient client in new[] { OverSocket(doorSocket), OverTcp(port) })
            {
                using (client)
                {
                    using HttpResponseMessage response = await client.PostAsync("v1/chat/completions", Chat("cortex/default"));

                    Assert.That((int)response.StatusCode, Is.EqualTo(429), client.BaseAddress!.ToString());
                    Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                    JsonElement error = (await JsonOf(response)).GetProperty("error");
                    Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("connection_limit"));
                    Assert.That(error.GetProperty("message").GetString(),
                        Is.EqualTo($"connection limit: uid {uid} already has 1 connections (server.maxConnectionsPerUid)"));
                }
            }
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

}
