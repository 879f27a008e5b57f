using System.Runtime.CompilerServices;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Providers.Mock;

/// <summary>
/// The built-in offline provider: answers from its settings with no network, so the daemon works with
/// no API keys, and tests and benchmarks get exact, repeatable behaviour.
/// </summary>
public sealed class MockProvider(string name, MockSettings settings, TimeProvider timeProvider) : IProvider
{
    public const string RefusalText = "I'm sorry, but I can't help with that request.";

    private long _calls;

    public string Name { get; } = name;

    public string Kind => MockProviderFactory.KindName;

    public MockSettings Settings { get; } = settings;

    public ProviderDescription Describe() => new(KeyPresent: true, BaseUrl: "mock:");

    /// <summary>The mock has nothing to reach: it is never probed, so it shows no probe result either.</summary>
    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ProbeResult.NotProbed("mock: nothing to probe"));

    public async IAsyncEnumerable<ProviderEvent> StreamAsync(ProviderCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long callNumber = Interlocked.Increment(ref _calls);
        bool failing = Settings.Failure != MockFailure.None && (Settings.FailFirst == 0 || callNumber <= Settings.FailFirst);

        if (Settings.Usage is { } usage && (!failing || Settings.Failure is MockFailure.Refusal or MockFailure.Empty))
        {
            // Like Anthropic's message_start: the input side is known before the answer is generated.
            yield return new UsageReported(new Usage
            {
                InputTokens = usage.InputTokens, CachedInputTokens = usage.CachedInputTokens, CacheWriteTokens = usage.CacheWriteTokens,
            });
        }

        if (Settings.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Settings.Latency, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        if (failing)
        {
            ThrowIfFailing();
        }

        string text = failing && Settings.Failure == MockFailure.Refusal ? RefusalText
            : failing && Settings.Failure == MockFailure.Empty ? string.Empty
            : Render(call);
        Tool? tool = PickTool(call.Request);

        int chunks = 0;
        foreach (string piece in Chunks(text, tool is null ? Settings.Repeat : 1))
        {
            if (Settings.FailAfterChunks > 0 && chunks == Settings.FailAfterChunks)
            {
                throw new ProviderException(ProviderErrorKind.Connection, "mock: stream cut after " + chunks + " chunks");
            }

            if (chunks > 0 && Settings.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(Settings.ChunkDelay, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            chunks++;
            yield return new ContentDelta(piece);
        }

        if (tool is not null)
        {
            yield return new ToolCallPiece(0, "call_mock_" + callNumber, tool.Name, "{\"mock\":");
            yield return new ToolCallPiece(0, null, null, "true}");
        }

        FinishReason finish = tool is not null ? FinishReason.ToolCalls
            : failing && Settings.Failure == MockFailure.Refusal ? FinishReason.ContentFilter
            : FinishReason.Stop;
        yield return new Completion(finish, Settings.Usage?.Clone() ?? DeriveUsage(call.Request, chunks + (tool is null ? 0 : 1)), 0);
    }

    private void ThrowIfFailing()
    {
        switch (Settings.Failure)
        {
            case MockFailure.Error:
                throw new ProviderException(ProviderErrorKind.Server, "mock: injected server error", 500);
            case MockFailure.Timeout:
                throw new ProviderException(ProviderErrorKind.Timeout, "mock: injected timeout");
            case MockFailure.RateLimited:
                throw new ProviderException(ProviderErrorKind.RateLimited, "mock: injected rate limit", 429, TimeSpan.FromSeconds(1));
            case MockFailure.Auth:
                throw new ProviderException(ProviderErrorKind.Auth, "mock: injected authentication failure", 401);
            default:
                return;
        }
    }

    private string Render(ProviderCall call)
    {
        if (call.Request.ResponseJsonSchema.Length > 0 && Settings.Reply == MockSettings.DefaultReply)
        {
            // A caller that asks for a schema gets JSON that fits it, so schema requests work offline. A
            // configured reply is sent as written, so tests can still make the mock answer off-schema.
            return MinimalInstance.For(call.Request.ResponseJsonSchema);
        }

        string prompt = call.Request.Messages.LastOrDefault(m => m.Role == Role.User)?.Content ?? string.Empty;
        return Settings.Reply.Replace("{model}", call.Model, StringComparison.Ordinal)
            .Replace("{prompt}", prompt, StringComparison.Ordinal);
    }

    private Tool? PickTool(CompleteRequest request)
    {
        if (!Settings.CallTools || request.Tools.Count == 0 || request.ToolChoice?.Mode == ToolChoiceMode.None)
        {
            return null;
        }

        string? forced = request.ToolChoice?.ToolName;
        return string.IsNullOrEmpty(forced) ? request.Tools[0] : request.Tools.FirstOrDefault(t => t.Name == forced) ?? request.Tools[0];
    }

    /// <summary>Word-sized chunks, each keeping its trailing space, so the deltas concatenate to the text.</summary>
    internal static IEnumerable<string> Chunks(string text, int repeat)
    {
        for (int r = 0; r < repeat; r++)
        {
            int start = 0;
            while (start < text.Length)
            {
                int space = text.IndexOf(' ', start);
                int end = space < 0 ? text.Length : space + 1;
                yield return text[start..end];
                start = end;
            }
        }
    }

    private static Usage DeriveUsage(CompleteRequest request, int outputChunks)
    {
        long chars = 0;
        foreach (Message message in request.Messages)
        {
            chars += message.Content.Length;
        }

        return new Usage { InputTokens = (ulong)((chars + 3) / 4), OutputTokens = (ulong)outputChunks };
    }
}
