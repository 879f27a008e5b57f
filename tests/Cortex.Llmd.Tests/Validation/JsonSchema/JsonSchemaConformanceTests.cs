namespace Cortex.Llmd.Tests.Validation.JsonSchema;

/// <summary>The official JSON-Schema-Test-Suite (draft 2020-12): one test per file, plus the totals.</summary>
public class JsonSchemaConformanceTests
{
    private const string Missing = "(suite folder missing)";

    private static IEnumerable<TestCaseData> SuiteFiles()
    {
        string[] files = [.. ConformanceSuite.Files()];
        foreach (string file in files.Length == 0 ? [Missing] : files)
        {
            yield return new TestCaseData(file).SetName($"Conformance_{Path.GetFileNameWithoutExtension(file)}");
        }
    }

    [TestCaseSource(nameof(SuiteFiles))]
    public void Conformance_File_EveryCaseMatchesExpectedVerdict(string file)
    {
        AssertSuitePresent();

        ConformanceReport report = ConformanceSuite.RunFile(file, ConformanceSkips.All);

        TestContext.Out.WriteLine($"{file}: ran {report.Ran}, passed {report.Passed}, skipped {report.Skipped}");
        Assert.That(report.Failures, Is.Empty, string.Join(Environment.NewLine, report.Failures));
        Assert.That(report.Passed, Is.EqualTo(report.Ran));
        Assert.That(report.Ran + report.Skipped, Is.GreaterThan(0), "a suite file without cases");
    }

    [Test]
    public void Conformance_AllFiles_RanEqualsPassedAndNoStaleSkips()
    {
        AssertSuitePresent();
        var total = new ConformanceReport();
        foreach (string file in ConformanceSuite.Files())
        {
            total.Add(ConformanceSuite.RunFile(file, ConformanceSkips.All));
        }

        TestContext.Out.WriteLine($"json-schema conformance: ran {total.Ran}, passed {total.Passed}, skipped {total.Skipped}");
        foreach (ConformanceSkip skip in ConformanceSkips.All)
        {
            TestContext.Out.WriteLine($"  skipped {skip.File} / {skip.Group}{(skip.Case is null ? string.Empty : " / " + skip.Case)}: {skip.Reason}");
        }

        var stale = ConformanceSkips.All.Where(skip => !total.UsedSkips.Contains(skip)).Select(skip => $"{skip.File} / {skip.Group} / {skip.Case}");
        Assert.That(stale, Is.Empty, "skip entries that match no case in the suite");
        Assert.That(total.Failures, Is.Empty, string.Join(Environment.NewLine, total.Failures));
        Assert.That(total.Ran, Is.GreaterThan(500), "far fewer cases than the suite holds");
        Assert.That(total.Passed, Is.EqualTo(total.Ran));
    }

    private static void AssertSuitePresent() =>
        Assert.That(ConformanceSuite.SuiteDirectory, Is.Not.Null,
            $"JSON Schema conformance files not found at {ConformanceSuite.ExpectedLocation}; they are part of the shared set-up (../shared) and must be present");
}
