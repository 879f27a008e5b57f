using System.Text.Json;
using Cortex.Llmd.Validation.JsonSchema;

namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>The verdicts of one suite file: counts, failures, and which skip entries it used.</summary>
internal sealed class ConformanceReport
{
    public int Ran { get; set; }

    public int Passed { get; set; }

    public int Skipped { get; set; }

    public List<string> Failures { get; } = [];

    public HashSet<ConformanceSkip> UsedSkips { get; } = [];

    public void Add(ConformanceReport other)
    {
        Ran += other.Ran;
        Passed += other.Passed;
        Skipped += other.Skipped;
        Failures.AddRange(other.Failures);
        UsedSkips.UnionWith(other.UsedSkips);
    }
}

/// <summary>Loads the official JSON-Schema-Test-Suite files from ../shared and runs them.</summary>
internal static class ConformanceSuite
{
    /// <summary>Where the suite should be: "../shared" beside the repository root (the folder holding cortex-llmd.slnx).</summary>
    public static string ExpectedLocation { get; } = FindExpectedLocation();

    /// <summary>The suite folder, or null when it is missing.</summary>
    public static string? SuiteDirectory { get; } = Directory.Exists(ExpectedLocation) ? ExpectedLocation : null;

    public static IEnumerable<string> Files() => SuiteDirectory is null
        ? []
        : Directory.GetFiles(SuiteDirectory, "*.json").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal);

    public static ConformanceReport RunFile(string fileName, IReadOnlyList<ConformanceSkip> skips)
    {
        var report = new ConformanceReport();
        using JsonDocument suite = JsonDocument.Parse(File.ReadAllText(Path.Combine(SuiteDirectory!, fileName)));
        foreach (JsonElement group in suite.RootElement.EnumerateArray())
        {
            string groupName = group.GetProperty("description").GetString()!;
            ConformanceSkip? groupSkip = skips.FirstOrDefault(s => s.File == fileName && s.Group == groupName && s.Case is null);
            if (groupSkip is not null)
            {
                report.UsedSkips.Add(groupSkip);
                report.Skipped += group.GetProperty("tests").GetArrayLength();
                CheckRejected(groupSkip, group.GetProperty("schema"), report);
                continue;
            }

            RunGroup(fileName, groupName, group, skips, report);
        }

        return report;
    }

    private static void RunGroup(string fileName, string groupName, JsonElement group, IReadOnlyList<ConformanceSkip> skips, ConformanceReport report)
    {
        CompiledSchema? schema = null;
        string? compileError = null;
        try
        {
            schema = CompiledSchema.Compile(group.GetProperty("schema"));
        }
        catch (SchemaException e)
        {
            compileError = e.Message;
        }

        foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
        {
            string caseName = test.GetProperty("description").GetString()!;
            ConformanceSkip? caseSkip = skips.FirstOrDefault(s => s.File == fileName && s.Group == groupName && s.Case == caseName);
            if (caseSkip is not null)
            {
                report.UsedSkips.Add(caseSkip);
                report.Skipped++;
                continue;
            }

            report.Ran++;
            bool expected = test.GetProperty("valid").GetBoolean();
            string verdict = schema is null ? $"schema rejected: {compileError}" : Verdict(schema, test.GetProperty("data"), expected);
            if (verdict.Length == 0)
            {
                report.Passed++;
            }
            else
            {
                report.Failures.Add($"{fileName} / {groupName} / {caseName}: expected {(expected ? "valid" : "invalid")}, {verdict}");
            }
        }
    }

    /// <summary>Empty when the verdict matches; otherwise what went wrong.</summary>
    private static string Verdict(CompiledSchema schema, JsonElement data, bool expected)
    {
        try
        {
            ValidationResult result = schema.Validate(data);
            return result.IsValid == expected ? string.Empty : $"got {(result.IsValid ? "valid" : "invalid: " + result)}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"threw {e.GetType().Name}: {e.Message}";
        }
    }

    private static void CheckRejected(ConformanceSkip skip, JsonElement schema, ConformanceReport report)
    {
        if (!skip.RejectedAtCompile)
        {
            return;
        }

        try
        {
            CompiledSchema.Compile(schema);
            report.Failures.Add($"{skip.File} / {skip.Group}: skipped as rejected at compile time, but the schema compiled");
        }
        catch (SchemaException)
        {
            // As the skip entry says.
        }
    }

    private static string FindExpectedLocation()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "json-schema", "draft2020-12"));
            }
        }

        return $"<repository root, not found above {AppContext.BaseDirectory}>/../shared/conformance/json-schema/draft2020-12";
    }
}
