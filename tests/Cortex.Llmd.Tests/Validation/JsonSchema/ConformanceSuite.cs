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

/// <summary>
/// Loads the official JSON-Schema-Test-Suite files (draft 2020-12) and runs them. The suite cannot be
/// vendored into the repository, so it is looked up: the folder named by CORTEX_JSONSCHEMA_SUITE, else
/// ../shared/conformance beside the repository root.
/// </summary>
internal static class ConformanceSuite
{
    public const string EnvironmentVariable = "CORTEX_JSONSCHEMA_SUITE";

    /// <summary>Where the suite was looked for, for the message when it is missing.</summary>
    public static string ExpectedLocation { get; } = FindExpectedLocation(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory);

    /// <summary>The folder holding the suite's *.json files, or null when it is missing.</summary>
    public static string? SuiteDirectory { get; } = Resolve(ExpectedLocation);

    /// <summary>Why the suite is missing and how to provide it; used as the ignore or failure reason.</summary>
    public static string MissingReason =>
        $"JSON Schema conformance suite (draft 2020-12) NOT FOUND at {ExpectedLocation}: the conformance tests did not run. " +
        $"Point {EnvironmentVariable} at a JSON-Schema-Test-Suite checkout (its tests/draft2020-12 folder) or place it in ../shared/conformance/json-schema/draft2020-12.";

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

    /// <summary>The variable's path when set; else ../shared/conformance/json-schema/draft2020-12 beside the folder holding cortex-llmd.slnx.</summary>
    internal static string FindExpectedLocation(string? configured, string start)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cortex-llmd.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "json-schema", "draft2020-12"));
            }
        }

        return $"<repository root, not found above {start}>/../shared/conformance/json-schema/draft2020-12";
    }

    /// <summary>The location itself, or its draft2020-12 folder when given a checkout's root, if it holds suite files.</summary>
    internal static string? Resolve(string location)
    {
        string[] candidates =
        [
            location,
            Path.Combine(location, "draft2020-12"),
            Path.Combine(location, "tests", "draft2020-12"),
            Path.Combine(location, "json-schema", "draft2020-12"),
        ];
        return candidates.FirstOrDefault(dir => Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.json").Any());
    }
}
