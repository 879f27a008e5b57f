using System.Buffers;
using System.Net.Http.Headers;

namespace Cortex.Llmd.Bench.Targets;

/// <summary>One HTTP request: a body and the headers this call adds to the target's own.</summary>
internal sealed record HttpCall(byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// An OpenAI-compatible endpoint reached over HTTP/1.1: the mock itself, or a gateway in front of it. A
/// fallback is a list of calls made in turn until one succeeds: the direct path's "fallback" is the client
/// doing it (500, then the good model); a gateway's is one call whose config makes the gateway do it.
/// </summary>
internal sealed class HttpTarget(
    string name,
    HttpClient client,
    Uri chatCompletions,
    IReadOnlyList<KeyValuePair<string, string>> headers,
    IReadOnlyDictionary<Workload, HttpCall[]> calls,
    int? gatewayPid,
    IReadOnlyDictionary<Workload, string>? unsupported = null) : ITarget
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private long _sent;

    public string Name => name;

    /// <summary>Requests sent, check calls and warm-ups included; through the daemon each must be one ledger row.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public int? GatewayPid => gatewayPid;

    public string? Unsupported(Workload workload) =>
        unsupported is not null && unsupported.TryGetValue(workload, out string? why) ? why : null;

    public async ValueTask<bool> CompleteAsync(Workload workload, CancellationToken cancellationToken)
    {
        foreach (HttpCall call in calls[workload])
        {
            using HttpResponseMessage response = await SendAsync(call, cancellationToken);
            bool ok = response.IsSuccessStatusCode;
            await DrainAsync(response, cancellationToken);
            if (ok)
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask<string> SampleAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(calls[Workload.Plain][0], cancellationToken);
        return $"HTTP {(int)response.StatusCode}: " + await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async ValueTask<StreamOutcome> StreamAsync(Workload workload, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(calls[workload][0], cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await DrainAsync(response, cancellationToken);
            return StreamOutcome.Failed;
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await SseContentCounter.ReadAsync(body, cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<HttpResponseMessage> SendAsync(HttpCall call, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        var content = new ByteArrayContent(call.Body);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, chatCompletions) { Content = content };
        foreach (KeyValuePair<string, string> header in headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (KeyValuePair<string, string> header in call.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Reads the whole body into a pooled buffer and drops it: the answer is paid for, not kept.</summary>
    private static async ValueTask DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(8 * 1024);
        try
        {
            while (await body.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
