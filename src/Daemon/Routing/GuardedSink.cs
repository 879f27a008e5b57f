using Cortex.Llm.V1;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Stands between one attempt and the caller's stream. It holds back the first characters until they
/// are checked for a refusal (or the whole answer, when a JSON Schema must be validated first), so a
/// bad answer can still fall back: fallback is possible only while nothing has reached the caller.
/// </summary>
internal sealed class GuardedSink(IChunkSink? inner, int holdChars, bool holdAll, Func<string, string?> refusalCheck, CommitFlag flag)
{
    private readonly List<object> _pending = [];
    private readonly System.Text.StringBuilder _prefix = new();
    private bool _released;

    /// <summary>True once anything reached the caller: from then on a failure ends the stream.</summary>
    public bool Committed
    {
        get => flag.Committed;
        private set => flag.Committed = value;
    }

    public async ValueTask ContentAsync(string delta, CancellationToken cancellationToken)
    {
        if (inner is null)
        {
            return;
        }

        if (_released)
        {
            Committed = true;
            await inner.SendContentAsync(delta, cancellationToken).ConfigureAwait(false);
            return;
        }

        _pending.Add(delta);
        _prefix.Append(delta);
        if (!holdAll && _prefix.Length >= holdChars)
        {
            if (refusalCheck(_prefix.ToString()) is { } refusal)
            {
                throw new AnswerRejectedException(AttemptOutcome.Refusal, refusal);
            }

            await ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
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

/// <summary>An answer that arrived but must not count: a refusal, an empty answer, or one that fails its schema.</summary>
internal sealed class AnswerRejectedException(AttemptOutcome outcome, string reason) : Exception(reason)
{
    public AttemptOutcome Outcome { get; } = outcome;
}
