using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cortex.Llmd.Bench.Processes;

internal static class Ports
{
    /// <summary>A loopback port nothing listens on right now (the kernel's pick).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until 127.0.0.1:<paramref name="port"/> accepts a connection.</summary>
    public static async Task WaitListeningAsync(ChildProcess owner, int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (owner.HasExited)
            {
                throw new InvalidOperationException($"{owner.Name} exited with {owner.ExitCode}:\n{owner.LogTail()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"{owner.Name} did not listen on {port} within {timeout.TotalSeconds:N0} s:\n{owner.LogTail()}");
    }
}
