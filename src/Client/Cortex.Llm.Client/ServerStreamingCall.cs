using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Cortex.Llm.Wire;
using Google.Protobuf;

namespace Cortex.Llm.Client;

/// <summary>
/// One gRPC call in flight: the request is sent and the response headers have arrived. Unary calls use it too
/// (a server stream that must hold exactly one message), so there is a single place that reads frames and
/// decides the status. Disposing it before the end resets the HTTP/2 stream, which cancels the call in the daemon.
/// </summary>
public sealed class ServerStreamingCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly HttpResponseMessage _response;
    private readonly CallScope _scope;
    private readonly MessageParser<TResponse> _parser;
    private readonly string? _socketPath;
    private Stream? _body;
    private bool _finished;
    private bool _disposed;

    private ServerStreamingCall(HttpResponseMessage response, CallScope scope, MessageParser<TResponse> parser, string? socketPath)
    {
        _response = response;
        _scope = scope;
        _parser = parser;
        _socketPath = socketPath;
        ResponseHeaders = Metadata.FromHeaders(response.Headers);
    }

    public Metadata ResponseHeaders { get; }

    /// <summary>Set once the stream has ended with status OK.</summary>
    public Metadata? ResponseTrailers { get; private set; }

    /// <summary>Reads every message; the enumeration's token cancels the whole call.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _scope.LinkCaller(cancellationToken);
        while (await ReadNextAsync().ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _body?.Dispose();
        _response.Dispose();
        _scope.Dispose();
    }

    internal static async Task<ServerStreamingCall<TResponse>> StartAsync(
        HttpClient http, string? socketPath, string path, IMessage request, MessageParser<TResponse> parser, CallOptions? options,
        CancellationToken enumeratorToken)
    {
        options ??= new CallOptions();
        var scope = new CallScope(options);
        scope.LinkCaller(enumeratorToken);
        try
        {
            using HttpRequestMessage message = BuildRequest(path, request, options.Headers, scope.Timeout);
            HttpResponseMessage response = await http
                .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, scope.Token)
                .ConfigureAwait(false);
            var call = new ServerStreamingCall<TResponse>(response, scope, parser, socketPath);
            call.ThrowIfHeadersEndCall();
            return call;
        }
        catch (Exception e) when (e is not CortexRpcException)
        {
            CortexRpcException error = scope.Translate(e, new Metadata(), socketPath);
            scope.Dispose();
            throw error;
        }
    }

    /// <returns>The next message, or null once the stream has ended with status OK.</returns>
    internal async ValueTask<TResponse?> ReadNextAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            return null;
        }

        try
        {
            _body ??= await _response.Content.ReadAsStreamAsync(_scope.Token).ConfigureAwait(false);
            TResponse? message = await FrameReader
                .ReadAsync(_body, _parser, GrpcProtocol.DefaultMaxReceiveMessageSize, _scope.Token)
                .ConfigureAwait(false);
            if (message is null)
            {
                FinishFromTrailers();
            }

            return message;
        }
        catch (Exception e) when (e is not CortexRpcException)
        {
            // A failed call is over: reset the stream now rather than when the caller gets round to disposing.
            CortexRpcException error = _scope.Translate(e, CollectMetadata(), _socketPath);
            Dispose();
            throw error;
        }
    }

    /// <summary>An error for a response that broke the unary contract, with the metadata seen so far.</summary>
    internal CortexRpcException ProtocolError(string detail) =>
        new(GrpcStatusCode.Internal, detail, CollectMetadata());

    private static HttpRequestMessage BuildRequest(string path, IMessage request, Metadata? headers, TimeSpan? timeout)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ProtobufContent(request),
        };
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (timeout is { } value)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(value));
        }

        foreach (MetadataEntry entry in headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(entry.Key, entry.Value);
        }

        return message;
    }

    /// <summary>Ends the call at the headers when the HTTP status, the content type or a trailers-only status says so.</summary>
    private void ThrowIfHeadersEndCall()
    {
        if (_response.StatusCode != HttpStatusCode.OK)
        {
            Fail(StatusMapping.FromHttpStatus(_response.StatusCode), $"HTTP status {(int)_response.StatusCode} {_response.ReasonPhrase}".TrimEnd());
        }

        if (TryGetStatus(_response.Headers, out GrpcStatusCode code, out string detail))
        {
            // Trailers-only: the status came with the headers and the body is empty.
            _finished = true;
            if (code != GrpcStatusCode.OK)
            {
                Fail(code, detail);
            }

            ResponseTrailers = new Metadata();
            return;
        }

        string? contentType = _response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            Fail(GrpcStatusCode.Unknown, $"Response content type '{contentType}' is not gRPC.");
        }
    }

    private void FinishFromTrailers()
    {
        _finished = true;
        if (!TryGetStatus(_response.TrailingHeaders, out GrpcStatusCode code, out string detail))
        {
            Fail(StatusMapping.FromHttpStatus(_response.StatusCode), "Response ended without grpc-status.");
        }

        if (code != GrpcStatusCode.OK)
        {
            Fail(code, detail);
        }

        ResponseTrailers = Metadata.FromHeaders(_response.TrailingHeaders);
    }

    [DoesNotReturn]
    private void Fail(GrpcStatusCode code, string detail)
    {
        Metadata metadata = CollectMetadata();
        Dispose();
        throw new CortexRpcException(code, detail, metadata);
    }

    private Metadata CollectMetadata()
    {
        var metadata = new Metadata();
        metadata.AddRange(ResponseHeaders);
        if (_response.TrailingHeaders is { } trailers)
        {
            metadata.AddRange(Metadata.FromHeaders(trailers));
        }

        return metadata;
    }

    private static bool TryGetStatus(HttpHeaders headers, out GrpcStatusCode code, out string detail)
    {
        code = GrpcStatusCode.Unknown;
        detail = string.Empty;
        if (!headers.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out HeaderStringValues status))
        {
            return false;
        }

        if (!StatusMapping.TryParseStatus(status.ToString(), out code))
        {
            detail = $"Malformed grpc-status '{status}'. ";
        }

        if (headers.NonValidated.TryGetValues(GrpcProtocol.MessageHeader, out HeaderStringValues message))
        {
            detail += GrpcMessageEncoding.Decode(message.ToString());
        }

        return true;
    }
}
