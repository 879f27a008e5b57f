using System.Text.RegularExpressions;

namespace Cortex.Llmd.Tests.Architecture;

/// <summary>
/// The dependencies between the daemon's top-level namespaces (Cortex.Llmd.X for each folder X of
/// src/Daemon), read from the source text rather than the compiled assembly, so a test can name the
/// file and line that creates an edge.
/// </summary>
/// <remarks>
/// A light text heuristic, not a compiler. An edge X -> Y is recorded when a file under X:
/// <list type="bullet">
/// <item>has a using directive naming Cortex.Llmd.Y (plain, static or alias), or</item>
/// <item>names "Cortex.Llmd.Y.Something" anywhere in code, or</item>
/// <item>names "Y.T" where T is a type declared under folder Y or a sub-namespace of Y, and "Y" is not
/// itself a member access (not preceded by '.').</item>
/// </list>
/// Limits: comments and string literals are stripped with simple patterns (verbatim and raw strings
/// holding quotes may confuse them); a type named without qualification through a global using or
/// through the enclosing namespace is not seen (the daemon declares no global using of its own
/// namespaces); "Y.T" inside code whose local member happens to be called Y and has a member named
/// like a type of folder Y would count falsely; a folder's files are assumed to declare namespaces
/// under Cortex.Llmd.Folder.
/// </remarks>
internal sealed partial class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(IReadOnlyList<string> folders) => Folders = folders;

    public IReadOnlyList<string> Folders { get; }

    /// <summary>Each folder's source files, relative to the repository root, keyed by folder.</summary>
    public Dictionary<string, List<(string Path, string Code)>> Sources { get; } = new(StringComparer.Ordinal);

    public static NamespaceGraph Read(string daemonDirectory, string repositoryRoot)
    {
        List<string> folders = Directory.GetDirectories(daemonDirectory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name is not "bin" and not "obj" && Directory.EnumerateFiles(Path.Combine(daemonDirectory, name), "*.cs", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal)
            .ToList();
        var graph = new NamespaceGraph(folders);
        foreach (string folder in folders)
        {
            graph.Sources[folder] = Directory.EnumerateFiles(Path.Combine(daemonDirectory, folder), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(f => (Path.GetRelativePath(repositoryRoot, f), StripCommentsAndStrings(File.ReadAllText(f))))
                .ToList();
        }

        Dictionary<string, HashSet<string>> typesByFolder = graph.Sources.ToDictionary(
            p => p.Key,
            p => p.Value.SelectMany(s => DeclaredTypes(p.Key, s.Code)).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        foreach ((string folder, List<(string Path, string Code)> files) in graph.Sources)
        {
            foreach ((string path, string code) in files)
            {
                graph.AddReferences(folder, path, code, typesByFolder);
            }
        }

        return graph;
    }

    /// <summary>Folders the given folder depends on.</summary>
    public IEnumerable<string> DependenciesOf(string folder) =>
        _edges.TryGetValue(folder, out Dictionary<string, List<string>>? to) ? to.Keys : [];

    /// <summary>Where an edge comes from, as "path:line: text".</summary>
    public IReadOnlyList<string> Evidence(string from, string to) =>
        _edges.TryGetValue(from, out Dictionary<string, List<string>>? targets) && targets.TryGetValue(to, out List<string>? where) ? where : [];

    /// <summary>Every elementary cycle among the given folders, each as its folders in order, smallest first.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyCollection<string> within, ISet<(string From, string To)> ignored)
    {
        List<string> nodes = within.Order(StringComparer.Ordinal).ToList();
        var cycles = new List<IReadOnlyList<string>>();
        for (int start = 0; start < nodes.Count; start++)
        {
            // Cycles are reported from their smallest node, so each appears once.
            HashSet<string> allowed = nodes.Skip(start).ToHashSet(StringComparer.Ordinal);
            FindCycles(nodes[start], nodes[start], [nodes[start]], allowed, ignored, cycles);
        }

        return cycles.OrderBy(c => c.Count).ThenBy(c => string.Join(">", c), StringComparer.Ordinal).ToList();
    }

    private void FindCycles(string start, string current, List<string> path, HashSet<string> allowed, ISet<(string, string)> ignored, List<IReadOnlyList<string>> cycles)
    {
        foreach (string next in DependenciesOf(current).Where(allowed.Contains).Where(n => !ignored.Contains((current, n))).Order(StringComparer.Ordinal))
        {
            if (next == start)
            {
                cycles.Add([.. path]);
            }
            else if (!path.Contains(next))
            {
                path.Add(next);
                FindCycles(start, next, path, allowed, ignored, cycles);
                path.RemoveAt(path.Count - 1);
            }
        }
    }

    private void AddReferences(string folder, string path, string code, Dictionary<string, HashSet<string>> typesByFolder)
    {
        string[] lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            foreach (Match m in QualifiedName().Matches(line))
            {
                Add(folder, m.Groups["folder"].Value, path, i, line);
            }

            foreach (Match m in ShortName().Matches(line))
            {
                string target = m.Groups["folder"].Value;
                if (typesByFolder.TryGetValue(target, out HashSet<string>? types) && types.Contains(m.Groups["name"].Value))
                {
                    Add(folder, target, path, i, line);
                }
            }
        }
    }

    private void Add(string from, string to, string path, int lineIndex, string line)
    {
        if (from == to || !Folders.Contains(to))
        {
            return;
        }

        if (!_edges.TryGetValue(from, out Dictionary<string, List<string>>? targets))
        {
            _edges[from] = targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out List<string>? where))
        {
            targets[to] = where = [];
        }

        where.Add($"{path}:{lineIndex + 1}: {line.Trim()}");
    }

    /// <summary>Type names a file declares, plus the first segment of any sub-namespace it declares (Routing.Strategies).</summary>
    private static IEnumerable<string> DeclaredTypes(string folder, string code)
    {
        foreach (Match m in TypeDeclaration().Matches(code))
        {
            yield return m.Groups["name"].Value;
        }

        foreach (Match m in NamespaceDeclaration().Matches(code))
        {
            string ns = m.Groups["ns"].Value;
            string prefix = "Cortex.Llmd." + folder + ".";
            if (ns.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return ns[prefix.Length..].Split('.')[0];
            }
        }
    }

    /// <summary>Removes comments and the contents of string and char literals, keeping line breaks so line numbers hold.</summary>
    public static string StripCommentsAndStrings(string source) =>
        CommentOrLiteral().Replace(source, m => m.Value.StartsWith('/') ? new string('\n', m.Value.Count(c => c == '\n')) : "\"\"" + new string('\n', m.Value.Count(c => c == '\n')));

    [GeneratedRegex("""(?<!\.)\bCortex\.Llmd\.(?<folder>[A-Z]\w*)""")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("""(?<![.\w])(?<folder>[A-Z]\w*)\.(?<name>[A-Z]\w*)""")]
    private static partial Regex ShortName();

    [GeneratedRegex("""\b(?:class|record|struct|interface|enum|delegate\s+\S+)\s+(?<name>[A-Z]\w*)""")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex("""^\s*namespace\s+(?<ns>[\w.]+)""", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex("""//[^\n]*|/\*.*?\*/|"{3,}.*?"{3,}|@"(?:[^"]|"")*"|\$?"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)'""", RegexOptions.Singleline)]
    private static partial Regex CommentOrLiteral();
}
