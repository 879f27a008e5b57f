namespace Cortex.Llmd.Tests.Interop;

/// <summary>Debian's grpcio (python3-grpcio 1.51) against the daemon: tests/interop/python/interop_client.py.</summary>
[TestFixture]
public sealed class PythonInteropTests : InteropFixture
{
    public const string Python = "/usr/bin/python3";
    public const string InstallCommand = "sudo apt-get install python3-grpcio python3-grpc-tools";

    private static readonly Dictionary<string, string?> Environment = new(StringComparer.Ordinal)
    {
        // Debian's interpreter with Debian's modules only: nothing from a pyenv or virtualenv leaks in.
        ["PYTHONPATH"] = null,
        ["PYTHONHOME"] = null,
        ["PYTHONNOUSERSITE"] = "1",
    };

    [TestCase("complete")]
    [TestCase("stream-0")]
    [TestCase("stream-1")]
    [TestCase("stream-many")]
    [TestCase("route")]
    [TestCase("health")]
    [TestCase("deadline")]
    [TestCase("cancel-stream")]
    [TestCase("unimplemented")]
    [TestCase("oversize")]
    [TestCase("metadata")]
    [TestCase("concurrent")]
    [TestCase("huge-names")]
    public Task Case_Python_PassesItsAssertions(string caseName) => RunCaseAsync(caseName);

    protected override async Task CheckToolchainAsync()
    {
        ChildProcessResult? probe = await ChildProcess.TryRunAsync(
            Python, ["-c", "import grpc, grpc_tools"], RepoRoot, TimeSpan.FromSeconds(30), Environment);
        if (probe is null || probe.ExitCode != 0)
        {
            Assert.Fail(
                $"The Python interop client needs {Python} with grpc and grpc_tools. Install them with "
                + $"`{InstallCommand}` (or run scripts/install-test-deps.sh).\n{probe?.Describe() ?? Python + " could not be started."}");
        }
    }

    protected override ClientCommand CommandFor(string caseName, string socketPath) => new(
        Python,
        [
            Path.Combine(RepoRoot, "tests", "interop", "python", "interop_client.py"),
            "--socket", socketPath,
            "--gen", Path.Combine(RepoRoot, ".interop", "python-gen"),
            caseName,
        ],
        Environment,
        InstallCommand);
}
