using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>
/// A provider speaking OpenAI Chat Completions: POST {baseUrl}/chat/completions, with stream=true
/// decoded from SSE, or stream=false and one JSON answer when nobody watches it arrive
/// (<see cref="ProviderCall.WholeAnswer"/>). Serves the openai and ollama kinds (Ollama through its /v1 endpoint).
/// </summary>
public sealed class OpenAiProvider : IProvider, IDisposable
{
    internal static readonly Uri CompletionsPath = new("chat/completions", UriKind.Relative);

    /// <summary>Error bodies are read only this far: enough to classify and quote, never a whole page.</summary>
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>A whole non-streamed answer is read at most this far.</summary>
    private const int MaxJsonAnswer = 16 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly ApiKey? _key;
    private readonly string? _keyProblem;
    private readonly TimeProvider _time;

    public OpenAiProvider(string name, string kind, OpenAiSettings settings, HttpClient http, ProviderContext context)
    {
        Name = name;
        Kind = kind;
        Settings = settings;
        _http = http;
        _time = context.TimeProvider;
        // A key is looked for whenever one is configured; with none configured, only requireKey decides.
        if (settings.KeySource.IsConfigured || settings.RequireKey)
        {
            _key = settings.KeySource.Resolve(context.Environment, out _keyProblem);
        }
    }

    public string Name { get; }

    public string Kind { get; }

    public OpenAiSettings Settings { get; }

    private bool Unusable => _key is null && _keyProblem is not null;

    public ProviderDescription Describe() =>
        new(KeyPresent: !Unusable, BaseUrl: Settings.BaseUrl.ToString(), Unavailable: Unusable ? "no key: " + _keyProblem : null);

    public IAsyncEnumerable<ProviderEvent> StreamAsync(ProviderCall call, CancellationToken cancellationToken) =>
        ProviderSecrets.Guard(StreamCoreAsync(call, cancellationToken), _key);

    private async IAsyncEnumerable<ProviderEvent> StreamCoreAsync(ProviderCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Unusable)
        {
            throw new ProviderException(ProviderErrorKind.Auth, $"{Name}: no API key");
        }

        using HttpRequestMessage request = BuildRequest(call);
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        yield return new ResponseStarted(status);
        var decoder = new OpenAiStreamDecoder(Name, _key);
        await using Stream body = await Guard(response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (IsJson(response))
        {
            string text = await Guard(ReadAllAsync(body, MaxJsonAnswer, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (ProviderEvent ev in decoder.AcceptBody(text))
            {
                yield return ev;
            }
        }
        else
        {
            await using IAsyncEnumerator<SseEvent> events = SseReader.ReadAsync(body, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (!decoder.Done && await Guard(events.MoveNextAsync().AsTask(), cancellationToken).ConfigureAwait(false))
            {
                foreach (ProviderEvent ev in decoder.Accept(events.Current))
                {
                    yield return ev;
                }
            }
        }

        yield return decoder.Finish(status);
    }

    /// <summary>
    /// GET /models for OpenAI-compatible servers, GET /api/tags for Ollama (its native model list):
    /// both free, and both prove the endpoint answers (and, with a key, that the key works).
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (Unusable)
        {
            return new ProbeResult(false, "no key: " + _keyProblem, 0, TimeSpan.Zero);
        }

        Uri target = Kind == Ollama.OllamaProviderFactory.KindName
            ? new Uri(Ollama.OllamaProviderFactory.NativeRoot(Settings.BaseUrl), "api/tags")
            : new Uri("models", UriKind.Relative);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        foreach ((string header, string value) in Settings.ExtraHeaders)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        if (_key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key.Reveal());
        }

        return ProviderSecrets.Redacted(await HttpProbe.RunAsync(_http, request, Name, _key, cancellationToken).ConfigureAwait(false), _key);
    }

    private HttpRequestMessage BuildRequest(ProviderCall call)
    {
        var content = new ByteArrayContent(OpenAiRequestWriter.Write(call, Settings, Name));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, CompletionsPath) { Content = content };
        request.Headers.TryAddWithoutValidation("Accept", call.WholeAnswer ? "application/json" : "text/event-stream");
        foreach ((string header, string value) in Settings.ExtraHeaders)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        if (_key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key.Reveal());
        }

        return request;
    }

    /// <summary>Sends and returns a successful response; an error status is read, classified and thrown.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await Guard(
            _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            WaitHint? retryAfter = RetryAfter.Read(response.Headers, _time.GetUtcNow(), response.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
            string body = string.Empty;
            try
            {
                await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                body = await ReadAllAsync(stream, MaxErrorBody, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // The status alone classifies the failure; a body cut off on the way adds nothing.
            }

            throw HttpErrorClassifier.FromResponse(Name, response.StatusCode, body, retryAfter, _key);
        }
    }

    /// <summary>
    /// Awaits an HTTP step, turning transport failures into classified errors. Cancellation through the
    /// caller's token stays an OperationCanceledException; any other cancellation is the connect timeout.
    /// </summary>
    private async Task<T> Guard<T>(Task<T> step, CancellationToken cancellationToken)
    {
        try
        {
            return await step.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            // A read torn down by the caller's cancellation can surface as an IOException first.
            throw new OperationCanceledException("the caller cancelled", ex, cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            throw HttpErrorClassifier.FromTransport(Name, ex.InnerException as TimeoutException ?? new TimeoutException());
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw HttpErrorClassifier.FromTransport(Name, ex);
        }
    }

    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } type && type.EndsWith("json", StringComparison.OrdinalIgnoreCase);

    private static async Task<string> ReadAllAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while (text.Length < limit && (read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, Math.Min(read, limit - text.Length));
        }

        return text.ToString();
    }

    public void Dispose() => _http.Dispose();
}
