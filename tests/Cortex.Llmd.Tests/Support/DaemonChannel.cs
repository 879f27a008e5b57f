using System.Net.Sockets;
using Grpc.Net.Client;

namespace Cortex.Llmd.Tests.Support;

/// <summary>A Grpc.Net.Client channel to a daemon's Unix socket, for the generated clients.</summary>
public static class DaemonChannel
{
    public static GrpcChannel For(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
