using System.Net;
using System.Net.Sockets;

namespace Cortex.Llmd.Tests.Support;

/// <summary>
/// Loopback TCP ports for tests: one a daemon or fake may bind next, or one that refuses connections.
/// Both are a port the kernel handed out and that was released again, so another process could take
/// it in between; on a test machine that is rare enough, and a bind failure says so plainly.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>A port free to bind now (and so, nothing listens on it: connecting is refused).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
