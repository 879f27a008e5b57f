using Cortex.Llm.V1;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Stands between one attempt and the caller's stream. It holds back the first characters until they
/// are checked for a refusal (or the whole answer, when a JSON Schema must be validated first), so a
/// bad answer can still fall back: fallback is possible only while nothing has reached the caller.
/// </summary>
internal sealed class GuardedSink(IChunkSink? inner, int holdChars, bool holdAll, Func<string, string?> refusalCheck)
{
    private readonly List<object> _pending = [];
    private readonly System.Text.StringBuilder _prefix = new();
    private bool _released;

    /// <summary>True once anything reached the caller: from then on a failure ends the stream.</summary>
    public bool Committed { get; private set; }

    /// <summary>Set when the held-back prefix turned out to be a refusal; the attempt stops there.</summary>
    public string? Refusal { get; private set; }

    /// <summary>False when the answer was refused and the provider's stream should be abandoned.</summary>
    public async ValueTask<bool> ContentAsync(string delta, CancellationToken cancellationToken)
    {
        if (inner is null)
        {
            return true;
        }

        if (_released)
        {
            Committed = true;
            await inner.SendContentAsync(delta, cancellationToken).ConfigureAwait(false);
            return true;
        }

        _pending.Add(delta);
        _prefix.Append(delta);
        if (!holdAll && _prefix.Length >= holdChars)
        {
            Refusal = refusalCheck(_prefix.ToString());
            if (Refusal is not null)
            {
                return false;
            }

            await ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask ToolCallAsync(ToolCallDelta delta, CancellationToken cancellationToken)
    {
        if (inner is null)
        {
            return;
        }

        if (_released)
        {
            Committed = true;
            await inner.SendToolCallAsync(delta, cancellationToken).ConfigureAwait(false);
            return;
        }

        _pending.Add(delta);
    }

    /// <summary>Sends what was held back; called once the answer passed validation (or the prefix did).</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        if (inner is null || _released)
        {
            return;
        }

        _released = true;
        foreach (object item in _pending)
        {
            Committed = true;
            if (item is string text)
            {
                await inner.SendContentAsync(text, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await inner.SendToolCallAsync((ToolCallDelta)item, cancellationToken).ConfigureAwait(false);
            }
        }

        _pending.Clear();
    }
}
