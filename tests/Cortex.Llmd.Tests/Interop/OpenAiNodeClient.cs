using System.Text.Json;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Interop;

/// <summary>
/// The official `openai` npm package driving the daemon's OpenAI-compatible door, one scenario per child
/// process (tests/interop/node/openai_client.js), over loopback TCP or the door's Unix socket.
/// </summary>
internal sealed class OpenAiNodeClient(string repoRoot, string baseUrl, string socketPath)
{
    public const string Node = "node";
    public const string InstallCommand = "npm ci --prefix tests/interop/node";

    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string?> Environment = new(StringComparer.Ordinal)
    {
        // Only the client's own node_modules, no preloaded options, and no proxy between it and the daemon.
        ["NODE_PATH"] = null,
        ["NODE_OPTIONS"] = null,
        ["NODE_USE_ENV_PROXY"] = null,
        ["HTTP_PROXY"] = null,
        ["HTTPS_PROXY"] = null,
        ["http_proxy"] = null,
        ["https_proxy"] = null,
    };

    private string ClientDirectory => Path.Combine(repoRoot, "tests", "interop", "node");

    /// <summary>The daemon's `openai` config section for a socket in <paramref name="directory"/> and a free loopback port.</summary>
    public static (string BaseUrl, string SocketPath, string ConfigJson) Endpoints(string directory)
    {
        int port = LoopbackPorts.Free();
        string socketPath = Path.Combine(directory, "openai.sock");
        string json = $$"""{ "socketPath": "{{socketPath}}", "tcpAddress": "127.0.0.1:{{port}}" }""";
        return ($"http://127.0.0.1:{port}/v1", socketPath, json);
    }

    /// <summary>Fails (never ignores) with the install command when node or the SDK is missing here.</summary>
    public async Task CheckToolchainAsync()
    {
        ChildProcessResult? version = await ChildProcess.TryRunAsync(Node, ["--version"], repoRoot, TimeSpan.FromSeconds(30), Environment);
        if (version is null || version.ExitCode != 0)
        {
            Assert.Fail($"The openai SDK interop needs Node.js 20 or later as `{Node}` on PATH (Debian: `sudo apt-get install nodejs npm`), "
                + $"then `{InstallCommand}`.\n{version?.Describe() ?? Node + " could not be started."}");
        }

        foreach (string package in new[] { "openai", "undici" })
        {
            if (!Directory.Exists(Path.Combine(ClientDirectory, "node_modules", package)))
            {
                Assert.Fail($"tests/interop/node/node_modules/{package} is missing. Install the client's packages with `{InstallCommand}` "
                    + "(or run scripts/install-test-deps.sh).");
            }
        }

        ChildProcessResult? modules = await ChildProcess.TryRunAsync(
            Node, ["-e", "require('openai'); require('undici')"], ClientDirectory, TimeSpan.FromSeconds(30), Environment);
        if (modules is null || modules.ExitCode != 0)
        {
            Assert.Fail($"The openai SDK client's packages do not load. Reinstall them with `{InstallCommand}`.\n{modules?.Describe()}");
        }
    }

    /// <summary>Runs one scenario and returns the SDK's report; fails the test when the SDK threw unexpectedly.</summary>
    public async Task<JsonElement> RunAsync(string scenario, string transport)
    {
        string[] target = transport switch
        {
            "tcp" => ["--base-url", baseUrl],
            "unix" => ["--socket", socketPath],
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "tcp or unix"),
        };
        ChildProcessResult? result = await ChildProcess.TryRunAsync(
            Node, [Path.Combine(ClientDirectory, "openai_client.js"), .. target, scenario], repoRoot, ScenarioTimeout, Environment);
        Assert.That(result, Is.Not.Null, $"Could not start {Node}: install Node.js, then `{InstallCommand}`.");
        TestContext.Out.WriteLine($"{scenario} over {transport}: {result!.Elapsed.TotalSeconds:F2} s\n{result.StandardOutput}");
        Assert.That(result.TimedOut, Is.False, $"Scenario '{scenario}' did not finish within {ScenarioTimeout.TotalSeconds} s.\n{result.Describe()}");

        string? line = result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith('{'));
        Assert.That(line, Is.Not.Null, $"The client printed no JSON report.\n{result.Describe()}");
        JsonElement report;
        try
        {
            report = JsonDocument.Parse(line!).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new AssertionException($"The client's report is not JSON ({ex.Message}).\n{result.Describe()}");
        }

        Assert.That((result.ExitCode, report.GetProperty("ok").GetBoolean()), Is.EqualTo((0, true)), $"The SDK threw.\n{result.Describe()}");
        Assert.That((report.GetProperty("scenario").GetString(), report.GetProperty("transport").GetString()), Is.EqualTo((scenario, transport)));
        Assert.That(report.GetProperty("sdk_version").GetString(), Is.EqualTo(PinnedSdkVersion()), "the SDK that ran is the one package.json pins");
        return report;
    }

    private string PinnedSdkVersion()
    {
        using JsonDocument package = JsonDocument.Parse(File.ReadAllText(Path.Combine(ClientDirectory, "package.json")));
        return package.RootElement.GetProperty("dependencies").GetProperty("openai").GetString() ?? string.Empty;
    }

}
