using Google.Protobuf;

namespace Cortex.Llm.Cli.Output;

/// <summary>
/// Proto messages as JSON in the canonical proto3 mapping (lowerCamel names, 64-bit integers as strings,
/// enums by name), with default values written so that scripts always find every field.
/// </summary>
internal static class Json
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>Writes one message as a single line, so that streams of them are JSON Lines.</summary>
    public static void WriteLine(TextWriter writer, IMessage message)
    {
        Formatter.Format(message, writer);
        writer.WriteLine();
        writer.Flush();
    }
}
