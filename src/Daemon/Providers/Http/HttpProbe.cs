using System.Diagnostics;

namespace Cortex.Llmd.Providers.Http;

/// <summary>Runs one probe request and turns whatever happens into a <see cref="ProbeResult"/>.</summary>
public static class HttpProbe
{
    public static async Task<ProbeResult> RunAsync(HttpClient http, HttpRequestMessage request, string provider, ApiKey? key, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            TimeSpan latency = Stopwatch.GetElapsedTime(start);
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new ProbeResult(true, "ok", status, latency);
            }

            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            ProviderException failure = HttpErrorClassifier.FromResponse(provider, response.StatusCode, body, null, key);
            return new ProbeResult(false, failure.Message, status, latency);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ProbeResult(false, HttpErrorClassifier.FromTransport(provider, ex).Message, 0, Stopwatch.GetElapsedTime(start));
        }
    }
}
