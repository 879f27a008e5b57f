using System.Runtime.CompilerServices;
using System.Text;

namespace Cortex.Llmd.Providers.Http;

/// <summary>One server-sent event: its type (empty when the stream gave none) and its data lines joined by '\n'.</summary>
public readonly record struct SseEvent(string Event, string Data);

/// <summary>
/// A minimal text/event-stream reader (WHATWG rules): fields event/data, comments, CRLF or LF, events
/// ended by a blank line. An event cut off by the end of the stream is not delivered: the caller learns
/// the stream was truncated from the missing terminal event.
/// </summary>
public static class SseReader
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        string eventType = string.Empty;
        var data = new StringBuilder();
        bool hasData = false;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new SseEvent(eventType, data.ToString());
                }

                eventType = string.Empty;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            if (field == "event")
            {
                eventType = value;
            }
            else if (field == "data")
            {
                if (hasData)
                {
                    data.Append('\n');
                }

                data.Append(value);
                hasData = true;
            }
        }
    }
}
