using System.Net.Sockets;

namespace Cortex.Llmd.Tests.Support;

/// <summary>Two connected ends of a Unix stream socket, as a daemon's listener would accept one.</summary>
public static class UnixSocketPair
{
    /// <returns>The accepted end (the daemon's side) and the connecting end (the caller's side).</returns>
    public static (Socket Accepted, Socket Caller) Create()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pair-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var caller = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        caller.Connect(new UnixDomainSocketEndPoint(path));
        Socket accepted = listener.Accept();
        File.Delete(path);
        return (accepted, caller);
    }
}
