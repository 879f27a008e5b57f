using System.Net.Sockets;
using Grpc.Net.Client;

namespace Cortex.Llm.Client;

/// <summary>gRPC channels to cortex-llmd's Unix socket, for callers that want the generated clients directly.</summary>
public static class CortexChannel
{
    /// <summary>
    /// A channel whose every connection goes to <paramref name="socketPath"/>. The address is only the
    /// HTTP/2 authority; the socket decides where calls go. Dispose the channel when done with it.
    /// </summary>
    public static GrpcChannel ForSocket(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        var handler = new SocketsHttpHandler
        {
            // Kestrel allows 100 streams per connection; long event streams must not starve other calls.
            EnableMultipleHttp2Connections = true,
            ConnectCallback = (_, cancellationToken) => ConnectAsync(socketPath, cancellationToken),
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
