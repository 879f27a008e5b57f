namespace Cortex.Llmd.Tests.Interop;

/// <summary>npm's @grpc/grpc-js against the daemon: tests/interop/node/interop_client.js.</summary>
[TestFixture]
public sealed class NodeInteropTests : InteropFixture
{
    public const string Node = "node";
    public const string InstallCommand = "npm ci --prefix tests/interop/node";

    private static readonly Dictionary<string, string?> Environment = new(StringComparer.Ordinal)
    {
        // Only the client's own node_modules: no global modules or preloaded options.
        ["NODE_PATH"] = null,
        ["NODE_OPTIONS"] = null,
    };

    private string ClientDirectory => Path.Combine(RepoRoot, "tests", "interop", "node");

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
    public Task Case_Node_PassesItsAssertions(string caseName) => RunCaseAsync(caseName);

    protected override async Task CheckToolchainAsync()
    {
        ChildProcessResult? version = await ChildProcess.TryRunAsync(Node, ["--version"], RepoRoot, TimeSpan.FromSeconds(30), Environment);
        if (version is null || version.ExitCode != 0)
        {
            Assert.Fail($"The Node interop client needs Node.js 20.18 or later as `{Node}` on PATH (Debian: `sudo apt-get install nodejs npm`), "
                + $"then `{InstallCommand}`.\n{version?.Describe() ?? Node + " could not be started."}");
        }

        if (!Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "@grpc", "grpc-js")))
        {
            Assert.Fail($"tests/interop/node/node_modules/@grpc/grpc-js is missing. Install the client's packages with `{InstallCommand}` "
                + "(or run scripts/install-test-deps.sh).");
        }

        ChildProcessResult? modules = await ChildProcess.TryRunAsync(
            Node, ["-e", "require('@grpc/grpc-js'); require('@grpc/proto-loader'); require('protobufjs')"], ClientDirectory, TimeSpan.FromSeconds(30), Environment);
        if (modules is null || modules.ExitCode != 0)
        {
            Assert.Fail($"The Node interop client's packages do not load. Reinstall them with `{InstallCommand}`.\n{modules?.Describe()}");
        }
    }

    protected override ClientCommand CommandFor(string caseName, string socketPath) => new(
        Node,
        [Path.Combine(ClientDirectory, "interop_client.js"), "--socket", socketPath, caseName],
        Environment,
        InstallCommand);
}
