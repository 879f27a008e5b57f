namespace Cortex.Llm.Client;

/// <summary>Per-call settings.</summary>
public sealed record CallOptions
{
    /// <summary>
    /// How long the call may take. Sent to the daemon as grpc-timeout and also enforced here, so a call
    /// fails with DEADLINE_EXCEEDED on time even when the daemon or the socket stops answering.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Cancelling it ends the call with CANCELLED and resets the HTTP/2 stream.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Request metadata, sent as HTTP/2 headers.</summary>
    public Metadata? Headers { get; init; }
}
