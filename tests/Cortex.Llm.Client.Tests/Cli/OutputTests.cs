using Cortex.Llm.Cli.Output;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.V1;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

[TestFixture]
public sealed class OutputTests
{
    [TestCase("500ms", 500)]
    [TestCase("30s", 30_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase("2m", 120_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1d", 86_400_000)]
    public void Durations_TryParse_ValidText_ReturnsDuration(string text, long milliseconds)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Durations.TryParse(text, out TimeSpan duration), Is.True);
            Assert.That(duration, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
        });
    }

    [TestCase("")]
    [TestCase("30")]
    [TestCase("ms")]
    [TestCase("5x")]
    [TestCase("1..2s")]
    [TestCase("-5s")]
    [TestCase("999999999999d")]
    public void Durations_TryParse_InvalidText_ReturnsFalse(string text)
    {
        Assert.That(Durations.TryParse(text, out _), Is.False);
    }

    [Test]
    public void Table_Write_PadsColumnsAndRightAlignsNumbers()
    {
        var table = new Table("NAME", "COUNT", "NOTE").AlignRight(1);
        table.AddRow("a", "5", "first");
        table.AddRow("longer", "1234", "line\nbreak");
        using var writer = new StringWriter();

        table.Write(writer);

        Assert.That(writer.ToString(), Is.EqualTo(
            "NAME    COUNT  NOTE\n" +
            "a           5  first\n" +
            "longer   1234  line break\n"));
    }

    [Test]
    public void Table_AddRow_WrongCellCount_Throws()
    {
        var table = new Table("A", "B");

        Assert.Throws<ArgumentException>(() => table.AddRow("only one"));
    }

    [TestCase(0, true, "0.000000")]
    [TestCase(1_234_567, true, "0.001235")]
    [TestCase(2_500_000_000, false, "2.500000+")]
    public void Format_Usd_NanoUsd_SixDecimalsWithLowerBoundMark(long nanoUsd, bool priced, string expected)
    {
        Assert.That(Format.Usd(new Cost { NanoUsd = nanoUsd, Priced = priced }), Is.EqualTo(expected));
    }

    [TestCase(0ul, "-")]
    [TestCase(850ul, "850us")]
    [TestCase(12_340ul, "12.3ms")]
    [TestCase(1_234_000ul, "1.23s")]
    [TestCase(125_000_000ul, "2m5s")]
    [TestCase(7_380_000_000ul, "2h3m")]
    public void Format_Micros_PicksReadableUnit(ulong micros, string expected)
    {
        Assert.That(Format.Micros(micros), Is.EqualTo(expected));
    }

    [Test]
    public void KebabNames_TaskTypes_AreCliSpellings()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KebabNames.All<TaskType>(), Is.EqualTo(new[]
            {
                "user-chat", "requirement-parsing", "system-operation", "error-debugging",
                "code-generation", "dependency-resolution", "configuration", "tool-execution",
            }));
            Assert.That(KebabNames.Parse<TaskType>("code-generation"), Is.EqualTo(TaskType.CodeGeneration));
        });
    }
}
