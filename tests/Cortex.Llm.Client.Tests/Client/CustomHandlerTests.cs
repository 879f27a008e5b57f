using System.Net;
using System.Net.Sockets;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class CustomHandlerTests : FakeServerTestBase
{
    [Test]
    public async Task Constructor_CustomHandler_SendsHttp2ExactWithFramedContentLength()
    {
        Server.Map(GrpcServerHelpers.Router + "Complete", context => context.RespondUnaryAsync(new CompleteResponse { Content = "ok" }));
        var recorder = new RecordingHandler(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Server.SocketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        CompleteRequest request = UnaryCallTests.UserPrompt("hello");
        using var client = new CortexLlmClient(recorder);

        CompleteResponse response = await client.CompleteAsync(request);

        HttpRequestMessage sent = recorder.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.Content, Is.EqualTo("ok"));
            Assert.That(client.SocketPath, Is.Null);
            Assert.That(sent.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(sent.RequestUri?.AbsolutePath, Is.EqualTo("/cortex.llm.v1.Router/Complete"));
            Assert.That(sent.Version, Is.EqualTo(HttpVersion.Version20));
            Assert.That(sent.VersionPolicy, Is.EqualTo(HttpVersionPolicy.RequestVersionExact));
            Assert.That(sent.Content?.Headers.ContentLength, Is.EqualTo(5 + request.CalculateSize()));
            Assert.That(sent.Content?.Headers.ContentType?.MediaType, Is.EqualTo("application/grpc"));
        });
    }

    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
