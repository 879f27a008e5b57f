using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>
/// Runs tests/systemd/booted-test.sh: the .deb inside a Debian tree booted with systemd-nspawn, where
/// socket activation, notify, reload, stop and journald priorities meet a real systemd. Fails with the
/// reason (never skips) when the machine cannot debootstrap or boot a container.
/// </summary>
[Category("Package")]
[NonParallelizable]
public class BootedSystemdTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(25);

    [Test]
    public async Task BootedSystemd_PackageInstalled_SocketNotifyReloadStopAndJournalWork()
    {
        RepoScript.Result result = await RepoScript.RunAsync(Path.Combine("tests", "systemd", "booted-test.sh"), Limit);

        TestContext.Out.WriteLine(result.Output);
        Assert.That(result.Finished, Is.True, $"booted-test.sh did not finish in {Limit.TotalMinutes} minutes");
        Assert.That(result.ExitCode, Is.Zero, "booted-test.sh failed:\n" + result.Output);
        Assert.That(result.Output, Does.Contain("booted-test: all checks passed"));
    }
}
