using Cortex.Llm.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cortex.Llmd.Grpc;

/// <summary>Per-call state handed to handlers: deadline, cancellation, metadata in both directions.</summary>
public sealed class ServerCallContext : IDisposable
{
    private readonly CancellationTokenSource _callCts;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly CancellationTokenRegistration _abortRegistration;
    private List<KeyValuePair<string, string>>? _responseHeaders;
    private DateTimeOffset? _abortedAt;
    private List<KeyValuePair<string, string>>? _trailers;

    internal ServerCallContext(HttpContext httpContext, string method, TimeProvider timeProvider, TimeSpan? timeout)
    {
        HttpContext = httpContext;
        Method = method;
        if (timeout is { } t)
        {
            Deadline = timeProvider.GetUtcNow() + t;
            _deadlineCts = new CancellationTokenSource(t, timeProvider);
            _abortRegistration = httpContext.RequestAborted.Register(() => _abortedAt = timeProvider.GetUtcNow());
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, _deadlineCts.Token);
        }
        else
        {
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        }
    }

    public HttpContext HttpContext { get; }

    /// <summary>The full method path, e.g. "/cortex.llm.v1.Router/Complete".</summary>
    public string Method { get; }

    /// <summary>When the caller's grpc-timeout runs out; null when it sent none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the caller goes away or the deadline passes: pass it all the way down.</summary>
    public CancellationToken CancellationToken => _callCts.Token;

    /// <summary>
    /// True when the deadline fired, or when the caller reset the stream within <see cref="DeadlineSlack"/>
    /// of it: clients enforce their own deadline too, and their reset can beat ours by the transit time.
    /// </summary>
    public bool DeadlineExceeded =>
        _deadlineCts?.IsCancellationRequested == true || (_abortedAt is { } at && Deadline is { } d && at >= d - DeadlineSlack);

    public static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    public bool CallerCancelled => HttpContext.RequestAborted.IsCancellationRequested;

    internal bool ResponseStarted { get; set; }

    public string? GetHeader(string key)
    {
        StringValues values = HttpContext.Request.Headers[key];
        return values.Count == 0 ? null : values.ToString();
    }

    public byte[]? GetBinaryHeader(string key)
    {
        string? value = GetHeader(key);
        return value is not null && BinaryMetadata.TryDecode(value, out byte[] bytes) ? bytes : null;
    }

    /// <summary>Adds response metadata; only possible before the first message is written.</summary>
    public void AddResponseHeader(string key, string value)
    {
        if (ResponseStarted)
        {
            throw new InvalidOperationException("Response headers were already sent.");
        }

        (_responseHeaders ??= []).Add(new(key, value));
    }

    public void AddResponseHeader(string key, ReadOnlySpan<byte> value) => AddResponseHeader(key, BinaryMetadata.Encode(value));

    public void AddTrailer(string key, string value) => (_trailers ??= []).Add(new(key, value));

    internal IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders => _responseHeaders ?? [];

    internal IReadOnlyList<KeyValuePair<string, string>> Trailers => _trailers ?? [];

    public void Dispose()
    {
        _abortRegistration.Dispose();
        _callCts.Dispose();
        _deadlineCts?.Dispose();
    }
}
