using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Functional;

public class DaemonSmokeTests
{
    [Test]
    public async Task StartAsync_TestConfig_CreatesSocketWithConfiguredMode()
    {
        await using TestDaemon daemon = await TestDaemon.StartAsync();

        Assert.That(File.Exists(daemon.SocketPath), Is.True);
        Assert.That(File.GetUnixFileMode(daemon.SocketPath), Is.EqualTo((UnixFileMode)0b110_110_000));
    }
}
