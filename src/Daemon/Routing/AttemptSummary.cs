using System.Text;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;

namespace Cortex.Llmd.Routing;

/// <summary>
/// The attempt log as one line for an error message. Each reason is clipped, and entries stop before the
/// line would pass the status-message bound; the full log still travels in the attempts trailer.
/// </summary>
public static class AttemptSummary
{
    // Room kept for the "... (N more ...)" tail under Quote.MaxMessageBytes.
    private const int Budget = Quote.MaxMessageBytes - 100;

    public static string Describe(string summary, IReadOnlyList<Attempt> attempts)
    {
        if (attempts.Count == 0)
        {
            return Quote.Message(summary);
        }

        var text = new StringBuilder(Quote.Clip(summary, Quote.MaxChars * 2)).Append(": ");
        int bytes = Quote.EncodedSize(text.ToString());
        for (int i = 0; i < attempts.Count; i++)
        {
            Attempt a = attempts[i];
            string entry = $"{(i > 0 ? "; " : string.Empty)}{Quote.Clip(a.Provider)}/{Quote.Clip(a.Model)} {a.Outcome}: {Quote.Clip(a.Reason)}";
            int size = Quote.EncodedSize(entry);
            if (bytes + size > Budget)
            {
                return text.Append($"; {Quote.Ellipsis} ({attempts.Count - i} more in the attempt log)").ToString();
            }

            text.Append(entry);
            bytes += size;
        }

        return text.ToString();
    }
}
