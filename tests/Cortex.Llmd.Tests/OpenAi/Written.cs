using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>Runs a writer into a buffer and parses what it wrote, so tests assert on JSON, not on bytes.</summary>
internal static class Written
{
    public static string Text(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static JsonDocument Json(Action<IBufferWriter<byte>> write) => JsonDocument.Parse(Text(write));

    /// <summary>An SSE body as (event name or null, data) frames, checking each frame ends with a blank line.</summary>
    public static List<(string? Event, string Data)> Frames(string body)
    {
        Assert.That(body, Does.EndWith("\n\n"));
        var frames = new List<(string?, string)>();
        foreach (string frame in body[..^2].Split("\n\n"))
        {
            string? name = null;
            string? data = null;
            foreach (string line in frame.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    Assert.That(data, Is.Null, "one data line per frame");
                    data = line["data: ".Length..];
                }
                else
                {
                    Assert.Fail($"unexpected SSE line '{line}'");
                }
            }

            frames.Add((name, data!));
        }

        return frames;
    }
}
