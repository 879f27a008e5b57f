namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// The one door provider text passes to reach the core. Everything an HTTP adapter reports (a failure's
/// message, a probe's detail) leaves through here with its key masked, so the attempt log, the ledger,
/// logs, events and gRPC errors, which all quote those texts, cannot carry it.
/// </summary>
public static class ProviderSecrets
{
    /// <summary>Passes an adapter's events through; a failure leaves with its message redacted.</summary>
    public static async IAsyncEnumerable<ProviderEvent> Guard(IAsyncEnumerable<ProviderEvent> source, ApiKey? key)
    {
        IAsyncEnumerator<ProviderEvent> events = source.GetAsyncEnumerator();
        await using (events.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (ProviderException ex)
                {
                    throw Redacted(ex, key);
                }

                yield return events.Current;
            }
        }
    }

    /// <summary>
    /// The same failure with its message masked. The original is not kept as the inner exception: a
    /// log line that prints the chain would print the key with it.
    /// </summary>
    public static ProviderException Redacted(ProviderException ex, ApiKey? key)
    {
        if (key is null)
        {
            return ex;
        }

        string message = key.Redact(ex.Message);
        return ReferenceEquals(message, ex.Message) || message == ex.Message
            ? ex
            : new ProviderException(ex.Kind, message, ex.HttpStatus, ex.RetryAfter);
    }

    public static ProbeResult Redacted(ProbeResult result, ApiKey? key) =>
        key is null ? result : result with { Detail = key.Redact(result.Detail) };
}
