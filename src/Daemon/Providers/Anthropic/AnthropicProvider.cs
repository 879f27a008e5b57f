using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>
/// A provider speaking the Anthropic Messages API: one streamed POST /v1/messages per attempt, the SSE
/// answer translated event by event. Failures leave as classified <see cref="ProviderException"/>s;
/// the caller's cancellation leaves as OperationCanceledException.
/// </summary>
public sealed class AnthropicProvider : IProvider, IDisposable
{
    private const int MaxErrorBodyChars = 16 * 1024;

    private readonly AnthropicSettings _settings;
    private readonly ApiKey? _key;
    private readonly string? _keyProblem;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    internal AnthropicProvider(string name, AnthropicSettings settings, ApiKey? key, string? keyProblem, HttpClient http, TimeProvider time)
    {
        Name = name;
        _settings = settings;
        _key = key;
        _keyProblem = keyProblem;
        _http = http;
        _time = time;
    }

    public string Name { get; }

    public string Kind => AnthropicProviderFactory.KindName;

    public ProviderDescription Describe() => new(
        KeyPresent: _key is not null,
        BaseUrl: _settings.BaseUrl.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped).TrimEnd('/'),
        Unavailable: _key is null ? "no key: " + (_keyProblem ?? "no API key") : null);

    /// <summary>GET /v1/models: authenticated, free, and proves the key and the endpoint both work.</summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_key is null)
        {
            return new ProbeResult(false, "no key: " + (_keyProblem ?? "no API key"), 0, TimeSpan.Zero);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.TryAddWithoutValidation("x-api-key", _key.Reveal());
        request.Headers.TryAddWithoutValidation("anthropic-version", _settings.ApiVersion);
        return ProviderSecrets.Redacted(await HttpProbe.RunAsync(_http, request, Name, _key, cancellationToken).ConfigureAwait(false), _key);
    }

    public void Dispose() => _http.Dispose();

    public IAsyncEnumerable<ProviderEvent> StreamAsync(ProviderCall call, CancellationToken cancellationToken) =>
        ProviderSecrets.Guard(StreamCoreAsync(call, cancellationToken), _key);

    private async IAsyncEnumerable<ProviderEvent> StreamCoreAsync(ProviderCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ApiKey key = _key ?? throw new ProviderException(ProviderErrorKind.Auth, $"{Name}: no API key");
        byte[] body = AnthropicRequestWriter.Write(call, _settings.DefaultMaxTokens, Name);
        using HttpResponseMessage response = await SendAsync(key, body, cancellationToken).ConfigureAwait(false);
        yield return new ResponseStarted((int)response.StatusCode);
        Stream stream = await OpenBodyAsync(response, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var parser = new AnthropicStreamParser(Name, key);
            var pending = new List<ProviderEvent>();
            IAsyncEnumerator<SseEvent> events = SseReader.ReadAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (events.ConfigureAwait(false))
            {
                while (await ReadNextAsync(events, cancellationToken).ConfigureAwait(false))
                {
                    parser.Accept(events.Current, pending);
                    foreach (ProviderEvent ev in pending)
                    {
                        yield return ev;
                    }

                    pending.Clear();
                    if (parser.Finished)
                    {
                        yield break;
                    }
                }
            }
        }

        throw new ProviderException(ProviderErrorKind.Connection, $"{Name}: stream ended early (no message_stop)", 200);
    }

    private async Task<HttpResponseMessage> SendAsync(ApiKey key, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", key.Reveal());
        request.Headers.TryAddWithoutValidation("anthropic-version", _settings.ApiVersion);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            throw TransportFailure(ex, cancellationToken);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string text = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            WaitHint? retryAfter = RetryAfter.Read(response.Headers, _time.GetUtcNow(), response.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
            throw HttpErrorClassifier.FromResponse(Name, response.StatusCode, text, retryAfter, key);
        }
    }

    private async Task<Stream> OpenBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            throw TransportFailure(ex, cancellationToken);
        }
    }

    /// <summary>The error body helps classify (context length, content policy); a broken one must not hide the status.</summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            char[] buffer = new char[MaxErrorBodyChars];
            int read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
            return new string(buffer, 0, read);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return string.Empty;
        }
    }

    /// <summary>Reads the next event; a connection lost mid-answer is a classified failure.</summary>
    private async ValueTask<bool> ReadNextAsync(IAsyncEnumerator<SseEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            throw TransportFailure(ex, cancellationToken);
        }
    }

    private static bool IsTransportFailure(Exception ex) => ex is HttpRequestException or IOException or OperationCanceledException;

    /// <summary>
    /// The caller's cancellation stays a cancellation, even when the socket reports it as an I/O error;
    /// any other cancellation is a timeout (SocketsHttpHandler's connect timeout surfaces as one).
    /// </summary>
    private Exception TransportFailure(Exception ex, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? ex as OperationCanceledException ?? new OperationCanceledException(null, ex, cancellationToken)
        : ex is OperationCanceledException ? HttpErrorClassifier.FromTransport(Name, new TimeoutException(ex.Message, ex))
        : HttpErrorClassifier.FromTransport(Name, ex);
}
