using System.Text;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Routing;

/// <summary>The result of one successful attempt, assembled from the provider's events.</summary>
public sealed record AttemptAnswer(string Content, IReadOnlyList<ToolCall> ToolCalls, FinishReason FinishReason, Usage Usage, int HttpStatus, TimeSpan? TimeToFirstToken);

/// <summary>
/// Runs one try against one provider: consumes its stream, passes deltas to the guarded sink and
/// assembles the full answer. Calls <paramref name="onFirstToken"/> once, for the first-token timer.
/// Null when the sink refused the answer's prefix: the provider's stream is abandoned there.
/// </summary>
internal static class AttemptRunner
{
    public static Task<AttemptAnswer?> RunAsync(
        IProvider provider, ProviderCall call, GuardedSink sink, TimeProvider timeProvider, long startTimestamp, Action onFirstToken, CancellationToken cancellationToken) =>
        RunAsync(provider, call, sink, timeProvider, startTimestamp, onFirstToken, new ExchangeStatus(), cancellationToken);

    /// <param name="exchange">Receives the provider's HTTP status as soon as its headers arrive, so an attempt that ends early still knows it.</param>
    public static async Task<AttemptAnswer?> RunAsync(
        IProvider provider, ProviderCall call, GuardedSink sink, TimeProvider timeProvider, long startTimestamp, Action onFirstToken,
        ExchangeStatus exchange, CancellationToken cancellationToken)
    {
        var content = new StringBuilder();
        var tools = new SortedDictionary<int, ToolCallBuilder>();
        TimeSpan? ttft = null;
        await foreach (ProviderEvent ev in provider.StreamAsync(call, cancellationToken).ConfigureAwait(false))
        {
            switch (ev)
            {
                case ResponseStarted started:
                    exchange.HttpStatus = started.HttpStatus;
                    break;
                case UsageReported reported:
                    exchange.Meter?.Report(reported.Usage, final: false);
                    break;
                case ContentDelta { Text.Length: > 0 } delta:
                    if (ttft is null)
                    {
                        ttft = timeProvider.GetElapsedTime(startTimestamp);
                        onFirstToken();
                    }

                    content.Append(delta.Text);
                    if (!await sink.ContentAsync(delta.Text, cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }

                    break;
                case ToolCallPiece piece:
                    if (ttft is null)
                    {
                        ttft = timeProvider.GetElapsedTime(startTimestamp);
                        onFirstToken();
                    }

                    ToolCallBuilder builder = tools.TryGetValue(piece.Index, out ToolCallBuilder? b) ? b : tools[piece.Index] = new ToolCallBuilder();
                    builder.Add(piece);
                    await sink.ToolCallAsync(
                        new ToolCallDelta { Index = (uint)piece.Index, Id = piece.Id ?? string.Empty, Name = piece.Name ?? string.Empty, ArgumentsDelta = piece.ArgumentsDelta },
                        cancellationToken).ConfigureAwait(false);
                    break;
                case Completion done:
                    exchange.HttpStatus = done.HttpStatus != 0 ? done.HttpStatus : exchange.HttpStatus;
                    exchange.Meter?.Report(done.Usage, final: true);
                    return new AttemptAnswer(content.ToString(), [.. tools.Values.Select(t => t.Build())], done.FinishReason, done.Usage, done.HttpStatus, ttft);
            }
        }

        throw new ProviderException(ProviderErrorKind.InvalidResponse, $"{provider.Name}: the answer ended without a completion");
    }

    private sealed class ToolCallBuilder
    {
        private readonly StringBuilder _arguments = new();
        private string _id = string.Empty;
        private string _name = string.Empty;

        public void Add(ToolCallPiece piece)
        {
            if (!string.IsNullOrEmpty(piece.Id))
            {
                _id = piece.Id;
            }

            if (!string.IsNullOrEmpty(piece.Name))
            {
                _name = piece.Name;
            }

            _arguments.Append(piece.ArgumentsDelta);
        }

        public ToolCall Build() => new() { Id = _id, Name = _name, ArgumentsJson = _arguments.ToString() };
    }
}

/// <summary>What one attempt's exchange revealed before it ended.</summary>
internal sealed class ExchangeStatus
{
    /// <summary>The HTTP status, 0 until the provider's headers arrive (or when it has none).</summary>
    public int HttpStatus { get; set; }

    /// <summary>Where the attempt's usage goes as soon as the provider reports it (budget reconciliation).</summary>
    public IAttemptMeter? Meter { get; init; }
}
