using System.Text.RegularExpressions;

namespace Cortex.Llmd.Tests.Architecture;

/// <summary>
/// Guards the daemon's layering: the routing core stays free of the transport, and the domain layers
/// do not import each other in circles. See <see cref="NamespaceGraph"/> for how edges are found and
/// what that heuristic cannot see.
/// </summary>
public partial class NamespaceDependencyTests
{
    private const string MarkerFile = "cortex-llmd.slnx";

    /// <summary>The daemon's layers below the hosting and transport: no cycles are allowed among them.</summary>
    private static readonly string[] Layers =
    [
        "Configuration", "Model", "Routing", "Budgets", "Ledger", "Health", "Pricing", "Providers", "Validation", "Errors", "Stats", "Events", "Logging",
        "Composition", "Access", "Completions",
    ];

    /// <summary>Folders that must stay independent of gRPC and its transport.</summary>
    private static readonly string[] TransportFree = ["Routing", "Budgets", "Ledger", "Access", "Completions"];

    /// <summary>
    /// Edges left out of the cycle check on purpose, each with why breaking it would take a redesign.
    /// Empty means every layer edge counts.
    /// </summary>
    private static readonly Dictionary<(string From, string To), string> KnownExceptions = new();

    private static NamespaceGraph _graph = null!;

    [OneTimeSetUp]
    public static void ReadSources()
    {
        string root = FindRepositoryRoot();
        _graph = NamespaceGraph.Read(Path.Combine(root, "src", "Daemon"), root);
    }

    [Test]
    public void Read_DaemonSources_FindsTheLayersAndTheirImports()
    {
        // Proves the reader sees something, so the tests below cannot pass on an empty graph.
        Assert.That(_graph.Folders, Is.SupersetOf(Layers));
        Assert.That(_graph.DependenciesOf("Routing"), Does.Contain("Providers"));
    }

    [TestCaseSource(nameof(TransportFree))]
    public void Sources_TransportFreeFolder_NameNoGrpcOrTransportType(string folder)
    {
        List<string> offending = [];
        foreach ((string path, string code) in _graph.Sources[folder])
        {
            string[] lines = code.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (TransportName().IsMatch(lines[i]))
                {
                    offending.Add($"{path}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.That(offending, Is.Empty, $"{folder} must not depend on gRPC or its transport");
    }

    [Test]
    public void Dependencies_AmongLayers_HaveNoCycle()
    {
        var ignored = KnownExceptions.Keys.ToHashSet();
        IReadOnlyList<IReadOnlyList<string>> cycles = _graph.Cycles(Layers, ignored);
        foreach (IReadOnlyList<string> cycle in cycles)
        {
            TestContext.Out.WriteLine(Describe(cycle));
        }

        Assert.That(cycles.Select(c => string.Join(" -> ", [.. c, c[0]])), Is.Empty, "import cycles among the daemon's layers (evidence in the test output)");
    }

    [Test]
    public void Cycles_TwoFoldersImportingEachOther_AreFound()
    {
        // The detector itself must be able to fail: Configuration and Model form a cycle in a synthetic graph.
        string dir = Path.Combine(Path.GetTempPath(), "cortex-arch-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "Configuration"));
            Directory.CreateDirectory(Path.Combine(dir, "Model"));
            File.WriteAllText(Path.Combine(dir, "Configuration", "A.cs"), "namespace Cortex.Llmd.Configuration;\npublic record A(Model.B B);\n");
            File.WriteAllText(Path.Combine(dir, "Model", "B.cs"), "using Cortex.Llmd.Configuration; // Cortex.Llmd.Nothing\nnamespace Cortex.Llmd.Model;\npublic record B;\n");

            NamespaceGraph graph = NamespaceGraph.Read(dir, dir);

            Assert.That(graph.Cycles(["Configuration", "Model"], new HashSet<(string, string)>()), Has.Count.EqualTo(1));
            Assert.That(graph.Evidence("Configuration", "Model").Single(), Does.StartWith("Configuration/A.cs:2:"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Describe(IReadOnlyList<string> cycle)
    {
        var text = new System.Text.StringBuilder("cycle: " + string.Join(" -> ", [.. cycle, cycle[0]]));
        for (int i = 0; i < cycle.Count; i++)
        {
            string from = cycle[i];
            string to = cycle[(i + 1) % cycle.Count];
            text.Append("\n  ").Append(from).Append(" -> ").Append(to).Append(": ").Append(_graph.Evidence(from, to)[0]);
        }

        return text.ToString();
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, MarkerFile)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains {MarkerFile}.");
    }

    [GeneratedRegex("""\bGrpc\.|\bCortex\.Llmd\.Grpc\b|\bCortex\.Llm\.Wire\b|\bMicrosoft\.AspNetCore\b""")]
    private static partial Regex TransportName();
}
