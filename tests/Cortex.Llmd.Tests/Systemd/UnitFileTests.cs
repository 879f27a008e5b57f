using System.Diagnostics;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>Runs tests/systemd/verify-units.sh: verify prints nothing on stderr, exposure at most 2.0.</summary>
public class UnitFileTests
{
    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.service")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (with cortex-llmd.service) not found above " + AppContext.BaseDirectory);
    }

    [Test]
    public void VerifyUnits_ShippedUnits_VerifyCleanAndExposureAtMost2()
    {
        // Fails, never skips, without systemd-analyze: CI must run this check.
        string? analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        Assert.That(analyze, Is.Not.Null, "systemd-analyze is missing: apt-get install systemd");

        string root = RepoRoot();
        var info = new ProcessStartInfo("bash", [Path.Combine(root, "tests", "systemd", "verify-units.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(60_000), Is.True, "verify-units.sh did not finish in 60 s");
        TestContext.Out.WriteLine(stdout.Result);

        Assert.That(process.ExitCode, Is.Zero, stdout.Result + stderr.Result);
        Assert.That(stdout.Result, Does.Match(@"exposure score: [01]\.\d|exposure score: 2\.0"));
    }

    [Test]
    public void Service_ProcVisibility_NotRestricted()
    {
        // Caller identity reads /proc/<caller pid>/comm and cgroup: hiding other processes would blind it.
        string service = File.ReadAllText(Path.Combine(RepoRoot(), "cortex-llmd.service"));

        Assert.That(service, Does.Not.Match(@"(?m)^ProtectProc="));
        Assert.That(service, Does.Not.Match(@"(?m)^ProcSubset="));
        Assert.That(service, Does.Not.Match(@"(?m)^PrivateUsers=yes"));
        Assert.That(service, Does.Match(@"(?m)^Type=notify$"));
    }
}
