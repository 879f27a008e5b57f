using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Packaging;

/// <summary>
/// Runs tests/package/package-test.sh: builds the .deb, installs it, runs the installed daemon as the
/// unit would, removes and purges it. Needs root and a Debian 12 machine; fails (never skips) otherwise,
/// because CI must run it.
/// </summary>
[Category("Package")]
[NonParallelizable]
public class PackageTests
{
    // Two Native AOT publishes (a few minutes each on 2 cores) plus 100,000 measured calls.
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(30);

    [Test]
    public async Task PackageTest_BuildInstallRunRemovePurge_AllChecksPass()
    {
        RepoScript.Result result = await RepoScript.RunAsync(Path.Combine("tests", "package", "package-test.sh"), Limit);

        TestContext.Out.WriteLine(result.Output);
        Assert.That(result.Finished, Is.True, $"package-test.sh did not finish in {Limit.TotalMinutes} minutes");
        Assert.That(result.ExitCode, Is.Zero, "package-test.sh failed:\n" + result.Output);
        Assert.That(result.Output, Does.Contain("package-test: all checks passed"));
    }
}
