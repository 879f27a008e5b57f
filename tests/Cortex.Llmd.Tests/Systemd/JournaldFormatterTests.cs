using System.Text;
using Cortex.Llmd.Systemd;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Tests.Systemd;

public class JournaldFormatterTests
{
    [TestCase(LogLevel.Trace, 7)]
    [TestCase(LogLevel.Debug, 7)]
    [TestCase(LogLevel.Information, 6)]
    [TestCase(LogLevel.Warning, 4)]
    [TestCase(LogLevel.Error, 3)]
    [TestCase(LogLevel.Critical, 2)]
    public void Priority_EachLevel_SyslogPriority(LogLevel level, int priority) =>
        Assert.That(JournaldFormatter.Priority(level), Is.EqualTo(priority));

    [TestCase(LogLevel.Information, "Cortex.Llmd", 200, "serving", null, "<6>Cortex.Llmd[200] serving")]
    [TestCase(LogLevel.Warning, "Cortex.Llmd", 202, "two\nlines", null, "<4>Cortex.Llmd[202] two lines")]
    [TestCase(LogLevel.Error, "X.Y", 213, "errors:\r\n  a\r\n  b", null, "<3>X.Y[213] errors:   a   b")]
    [TestCase(LogLevel.Critical, "X", 0, "boom", "System.Exception: bad\n   at A()\n   at B()", "<2>X[0] boom System.Exception: bad    at A()    at B()")]
    [TestCase(LogLevel.Debug, "X", 5, "", "E: x", "<7>X[5] E: x")]
    [TestCase(LogLevel.Trace, "X", 5, null, null, "<7>X[5]")]
    public void Format_Table(LogLevel level, string category, int eventId, string? message, string? exception, string expected) =>
        Assert.That(JournaldFormatter.Format(level, category, eventId, message, exception), Is.EqualTo(expected));

    [Test]
    public void Write_EntryWithException_ExactlyOneLine()
    {
        var formatter = new JournaldFormatter();
        var writer = new StringWriter(new StringBuilder());
        Exception exception;
        try
        {
            throw new InvalidOperationException("first\nsecond");
        }
        catch (InvalidOperationException ex)
        {
            exception = ex;
        }

        var entry = new Microsoft.Extensions.Logging.Abstractions.LogEntry<string>(
            LogLevel.Error, "Cortex.Llmd.Grpc", new EventId(106), "Handler threw", exception, (s, _) => s);
        formatter.Write(entry, null, writer);

        string text = writer.ToString();
        Assert.That(text, Does.StartWith("<3>Cortex.Llmd.Grpc[106] Handler threw System.InvalidOperationException: first second"));
        Assert.That(text.IndexOf('\n', StringComparison.Ordinal), Is.EqualTo(text.Length - 1));
    }
}
