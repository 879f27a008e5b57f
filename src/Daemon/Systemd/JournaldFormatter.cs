using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Cortex.Llmd.Systemd;

/// <summary>
/// One line per entry for journald's stream transport: "&lt;priority&gt;category[eventId] message exception",
/// newlines replaced by spaces so an exception never splits into several journal entries. No
/// timestamp: the journal adds its own.
/// </summary>
public sealed class JournaldFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "journald";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(Format(logEntry.LogLevel, logEntry.Category, logEntry.EventId.Id, message, logEntry.Exception?.ToString()));
        textWriter.Write('\n');
    }

    /// <summary>syslog priorities as journald reads them from the "&lt;N&gt;" prefix.</summary>
    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        LogLevel.Critical => 2,
        _ => 6,
    };

    /// <summary>The line without its trailing newline.</summary>
    public static string Format(LogLevel level, string category, int eventId, string? message, string? exception)
    {
        var line = new StringBuilder();
        line.Append('<').Append(Priority(level).ToString(CultureInfo.InvariantCulture)).Append('>');
        line.Append(category).Append('[').Append(eventId.ToString(CultureInfo.InvariantCulture)).Append(']');
        if (!string.IsNullOrEmpty(message))
        {
            line.Append(' ').Append(OneLine(message));
        }

        if (!string.IsNullOrEmpty(exception))
        {
            line.Append(' ').Append(OneLine(exception));
        }

        return line.ToString();
    }

    private static string OneLine(string text) => text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
