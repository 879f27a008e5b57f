using System.Net;
using System.Net.Sockets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Callers;

/// <summary>Who is on the other end of a loopback TCP connection, from the kernel's socket table.</summary>
public class LoopbackPeersTests
{
    [Test]
    public void Format_Ipv4Endpoint_AsTheKernelPrintsIt() =>
        Assert.That(LoopbackPeers.Format(new IPEndPoint(IPAddress.Loopback, 8642), six: false), Is.EqualTo("0100007F:21C2"));

    [Test]
    public void Format_Ipv6LoopbackAndMappedIpv4_AsTcp6PrintsThem()
    {
        Assert.That(LoopbackPeers.Format(new IPEndPoint(IPAddress.IPv6Loopback, 80), six: true), Is.EqualTo("00000000000000000000000001000000:0050"));
        Assert.That(LoopbackPeers.Format(new IPEndPoint(IPAddress.Loopback, 80), six: true), Is.EqualTo("0000000000000000FFFF00000100007F:0050"));
    }

    [Test]
    public void Find_RowOfTheCallersEnd_ReturnsItsUid()
    {
        string directory = TempDirectory.Create();
        try
        {
            string table = Path.Combine(directory, "tcp");
            File.WriteAllText(table, """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:21C2 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 111 1 0 20 4 30 10 -1
                   1: 0100007F:9C40 0100007F:21C2 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 20 4 30 10 -1
                """);
            var caller = new IPEndPoint(IPAddress.Loopback, 0x9C40);
            var daemon = new IPEndPoint(IPAddress.Loopback, 8642);

            Assert.That(LoopbackPeers.Find(caller, daemon, [table]).Uid, Is.EqualTo(1000u), "the caller's row, not the daemon's own end (uid 0)");
            Assert.That(LoopbackPeers.Find(new IPEndPoint(IPAddress.Loopback, 1), daemon, [table]).Uid, Is.Null, "no row: unknown");
            Assert.That(LoopbackPeers.Find(new IPEndPoint(IPAddress.Parse("10.0.0.7"), 0x9C40), daemon, [table]).Uid, Is.Null, "never for a remote peer");
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Test]
    public void Read_RealLoopbackConnection_FindsThisProcesssUid()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        client.Connect((IPEndPoint)listener.LocalEndpoint);
        using Socket accepted = listener.AcceptSocket();

        CallerInfo caller = LoopbackPeers.Read(accepted);

        Assert.That(caller.Uid, Is.EqualTo(Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId()));
        Assert.That(caller.Pid, Is.Null, "the table gives the uid only");
    }
}
