using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Completions;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Stats;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// POST /v1/chat/completions: the body and headers mapped to the core's request, the one completion
/// service run, and its answer or failure mapped back to OpenAI's shapes. Whole answers carry the
/// x-cortex-* extras as headers; a stream's extras go in trailers where the protocol has them.
/// </summary>
internal sealed class ChatCompletionsHandler(
    CompletionService completions, ModelCatalogCache catalogs, OpenAiOptions options, TimeProvider time, ILogger<ChatCompletionsHandler> logger)
{
    /// <summary>A caller's own, shorter deadline for one call, in milliseconds.</summary>
    public const string TimeoutHeader = "x-cortex-timeout-ms";

    public const string BudgetDowngradeHeader = "x-cortex-budget-downgrade";

    public async Task HandleAsync(HttpContext http, CallerInfo caller)
    {
        long start = time.GetTimestamp();
        string requestId = RequestIds.FromCaller(http.Request.Headers[CortexHeaders.RequestId].ToString());
        http.Response.Headers[CortexHeaders.RequestId] = requestId;
        RequestBody? body = await RequestBody.ReadAsync(http.Request, options.MaxRequestBytes, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await RejectAsync(http, requestId, OpenAiErrors.BodyTooLarge(options.MaxRequestBytes)).ConfigureAwait(false);
            return;
        }

        ChatCompletionReadResult read;
        try
        {
            read = ChatCompletionRequestReader.Read(body.Bytes);
        }
        finally
        {
            body.Release();
        }

        if (read.Value is not { } parsed)
        {
            await RejectAsync(http, requestId, read.Error!).ConfigureAwait(false);
            return;
        }

        if (Prepare(http, parsed) is { } invalid)
        {
            await RejectAsync(http, requestId, invalid).ConfigureAwait(false);
            return;
        }

        await RunAsync(http, parsed, new CompletionCall(requestId, caller, start)).ConfigureAwait(false);
    }

    /// <summary>The model id and the x-cortex-* headers applied to the request; null, or the 400/404 to answer.</summary>
    private OpenAiError? Prepare(HttpContext http, ChatCompletionRequest parsed) =>
        catalogs.Current.Apply(parsed.Model, parsed.Request)
        ?? CortexHeaders.Apply(http.Request.Headers, parsed.Request)
        ?? (Timeout(http) == TimeSpan.Zero ? OpenAiErrors.InvalidRequest(TimeoutHeader, $"{TimeoutHeader} must be a whole number of milliseconds from 1 to {(long)options.RequestTimeout.TotalMilliseconds}") : null);

    private async Task RunAsync(HttpContext http, ChatCompletionRequest parsed, CompletionCall call)
    {
        long created = time.GetUtcNow().ToUnixTimeSeconds();
        TimeSpan timeout = Timeout(http) ?? options.RequestTimeout;
        // The deadline is on the system clock, as the completion service reads it (and as gRPC's is).
        using var deadline = new CancellationTokenSource(timeout, TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, http.RequestAborted);
        using SseChunkSink? sink = parsed.Stream
            ? new SseChunkSink(http.Response, new ChatCompletionChunkWriter(call.RequestId, parsed.Model, created, parsed.IncludeUsage))
            : null;
        var context = new CompletionContext(FrontDoors.OpenAi, linked.Token)
        {
            Sink = sink,
            Deadline = DateTimeOffset.UtcNow + timeout,
            OnBudgetDowngrade = budget => http.Response.Headers[BudgetDowngradeHeader] = budget,
        };
        CompleteResponse response;
        try
        {
            response = await completions.RunAsync(parsed.Request, call, context).ConfigureAwait(false);
        }
        catch (RouterException error)
        {
            await FailAsync(http, call, sink, error).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller left; its row is written (CANCELLED) and there is nobody to answer.
            return;
        }

        if (sink is not null)
        {
            AddTrailers(http.Response, response);
            await sink.EndAsync(response, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        foreach ((string name, string value) in CortexHeaders.ForAnswer(response))
        {
            http.Response.Headers[name] = value;
        }

        await OpenAiResponses.WriteJsonAsync(
            http.Response, output => ChatCompletionWriter.Write(output, response, parsed.Model, created), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task FailAsync(HttpContext http, CompletionCall call, SseChunkSink? sink, RouterException error)
    {
        OpenAiError mapped = OpenAiErrors.From(error);
        Log.CompletionFailed(logger, call.RequestId, error.Attempts?.Attempts.Count ?? 0, mapped.Status.ToString(CultureInfo.InvariantCulture));
        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        string? attempts = error.Attempts?.Attempts.Count(a => a.Outcome != AttemptOutcome.Skipped).ToString(CultureInfo.InvariantCulture);
        if (sink is { Started: true })
        {
            // The headers are gone with the first chunk: setting one now would throw and lose the error event.
            if (attempts is not null && http.Response.SupportsTrailers())
            {
                http.Response.AppendTrailer(CortexHeaders.Attempts, attempts);
            }

            await sink.FailAsync(mapped, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (attempts is not null)
        {
            http.Response.Headers[CortexHeaders.Attempts] = attempts;
        }

        await OpenAiResponses.WriteErrorAsync(http.Response, mapped, CancellationToken.None).ConfigureAwait(false);
    }

    private Task RejectAsync(HttpContext http, string requestId, OpenAiError error)
    {
        Log.OpenAiRequestRejected(logger, requestId, error.Status, error.Param ?? "-", error.Message);
        return OpenAiResponses.WriteErrorAsync(http.Response, error, http.RequestAborted);
    }

    /// <summary>A stream's extras, known only at its end, as HTTP trailers (Kestrel sends them over HTTP/2 only).</summary>
    private static void AddTrailers(HttpResponse response, CompleteResponse final)
    {
        if (!response.SupportsTrailers())
        {
            return;
        }

        foreach ((string name, string value) in CortexHeaders.ForAnswer(final))
        {
            response.AppendTrailer(name, value);
        }
    }

    /// <summary>The caller's x-cortex-timeout-ms; null when absent; zero when invalid or above openai.requestTimeout (a 400).</summary>
    private TimeSpan? Timeout(HttpContext http)
    {
        string? text = http.Request.Headers[TimeoutHeader];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) && ms >= 1 && ms <= options.RequestTimeout.TotalMilliseconds
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;
    }
}
