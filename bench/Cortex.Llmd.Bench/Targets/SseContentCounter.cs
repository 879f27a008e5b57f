using System.Buffers;
using System.Diagnostics;

namespace Cortex.Llmd.Bench.Targets;

/// <summary>
/// Counts the content deltas of an SSE body without parsing JSON: every occurrence of
/// <c>"content":"</c> followed by a character other than the closing quote is one chunk with text.
/// The last few bytes of each read are kept so a pattern split between two reads is still found.
/// </summary>
internal static class SseContentCounter
{
    private static readonly byte[] Pattern = "\"content\":\""u8.ToArray();

    public static async ValueTask<StreamOutcome> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int carried = 0;
            int chunks = 0;
            long first = 0;
            while (true)
            {
                int read = await body.ReadAsync(buffer.AsMemory(carried, buffer.Length - carried), cancellationToken);
                if (read == 0)
                {
                    return new StreamOutcome(chunks > 0, first, Stopwatch.GetTimestamp(), chunks);
                }

                int length = carried + read;
                int found = Count(buffer.AsSpan(0, length), out int consumed);
                if (found > 0 && chunks == 0)
                {
                    first = Stopwatch.GetTimestamp();
                }

                chunks += found;
                carried = length - consumed;
                buffer.AsSpan(consumed, carried).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Matches in <paramref name="data"/>; <paramref name="consumed"/> is how far no match can still start.</summary>
    private static int Count(ReadOnlySpan<byte> data, out int consumed)
    {
        int count = 0;
        int at = 0;
        while (true)
        {
            int hit = data[at..].IndexOf(Pattern);
            if (hit < 0)
            {
                consumed = Math.Max(at, data.Length - Pattern.Length);
                return count;
            }

            int next = at + hit + Pattern.Length;
            if (next >= data.Length)
            {
                // The character after the pattern has not arrived yet: look again after the next read.
                consumed = at + hit;
                return count;
            }

            if (data[next] != (byte)'"')
            {
                count++;
            }

            at = next;
        }
    }
}
