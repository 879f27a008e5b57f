namespace Cortex.Llm.Client;

/// <summary>A unary response with the metadata around it (the daemon puts x-cortex-request-id in the headers).</summary>
public sealed record CallResult<TResponse>(TResponse Response, Metadata Headers, Metadata Trailers);
