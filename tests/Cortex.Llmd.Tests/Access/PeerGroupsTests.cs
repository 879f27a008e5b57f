using System.Net.Sockets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Access;

/// <summary>SO_PEERGROUPS against a real Unix socket: the kernel's list must be this process's own groups.</summary>
public class PeerGroupsTests
{
    [Test]
    public async Task Read_ConnectedUnixSocket_ReturnsThePeersSupplementaryGroups()
    {
        string dir = TempDirectory.Create();
        try
        {
            string path = Path.Combine(dir, "g.sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen();
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
            using Socket accepted = await listener.AcceptAsync();

            CallerInfo caller = PeerCredentials.Read(accepted);

            Assert.That(caller.Groups, Is.EquivalentTo(OwnGroups()));
            Assert.That(caller.Uid, Is.EqualTo(Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId()));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Test]
    public void Parse_RawOption_ReadsNativeGids()
    {
        byte[] raw = [0xE8, 0x03, 0, 0, 0xF3, 0x03, 0, 0];

        Assert.That(PeerGroups.Parse(raw), Is.EqualTo(new uint[] { 1000, 1011 }));
    }

    private static uint[] OwnGroups()
    {
        string line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Groups:", StringComparison.Ordinal));
        return [.. line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse)];
    }
}
