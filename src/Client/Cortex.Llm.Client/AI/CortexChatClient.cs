using System.Runtime.CompilerServices;
using Cortex.Llm.V1;
using Microsoft.Extensions.AI;

namespace Cortex.Llm.Client.AI;

/// <summary>
/// <see cref="IChatClient"/> over the daemon's gRPC socket, so a .NET component gets routing,
/// fallback, budgets and the ledger behind the ecosystem's abstraction and its middleware:
/// <c>new CortexChatClient().AsBuilder().UseOpenTelemetry().Build()</c>.
/// Route, task and tenant travel in <c>ChatOptions.AdditionalProperties</c> (<see cref="CortexChatOptions"/>);
/// a <c>provider/model</c> <c>ModelId</c> forces that target. Errors are the client library's: an
/// <c>RpcException</c> whose attempt log <c>GetAttemptLog()</c> decodes, or <see cref="CortexUnreachableException"/>.
/// </summary>
public sealed class CortexChatClient : IChatClient
{
    private readonly CortexLlmClient _client;
    private readonly bool _ownsClient;

    /// <summary>Connects to the daemon's socket (<see cref="CortexSocket.DefaultPath"/> when null).</summary>
    public CortexChatClient(string? socketPath = null)
        : this(new CortexLlmClient(socketPath ?? CortexSocket.DefaultPath()), ownsClient: true)
    {
    }

    /// <summary>Uses a client the caller owns (and disposes).</summary>
    public CortexChatClient(CortexLlmClient client)
        : this(client, ownsClient: false)
    {
    }

    private CortexChatClient(CortexLlmClient client, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        Metadata = new ChatClientMetadata("cortex-llmd", client.SocketPath is { } path ? new Uri("unix://" + path) : null);
    }

    public ChatClientMetadata Metadata { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        CompleteRequest request = ChatRequestMapping.ToRequest(messages, options);
        CompleteResponse response = await _client.CompleteAsync(request, new Grpc.Core.CallOptions(cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ChatResponseMapping.ToResponse(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CompleteRequest request = ChatRequestMapping.ToRequest(messages, options);
        var calls = new ToolCallAssembler();
        await foreach (CompleteChunk chunk in _client.StreamCompleteAsync(request, new Grpc.Core.CallOptions(cancellationToken: cancellationToken))
            .WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (chunk.KindCase)
            {
                case CompleteChunk.KindOneofCase.ContentDelta:
                    yield return new ChatResponseUpdate(ChatRole.Assistant, chunk.ContentDelta);
                    break;
                case CompleteChunk.KindOneofCase.ToolCallDelta:
                    // Function calls are handed on whole, as the abstraction's tool invocation expects.
                    calls.Add(chunk.ToolCallDelta);
                    break;
                case CompleteChunk.KindOneofCase.Final:
                    yield return ChatResponseMapping.FinalUpdate(chunk.Final, calls.Calls());
                    break;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? Metadata
            : serviceType == typeof(CortexLlmClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>Streamed tool-call pieces, joined by index into whole calls.</summary>
    private sealed class ToolCallAssembler
    {
        private readonly SortedDictionary<uint, V1.ToolCall> _calls = [];

        public void Add(ToolCallDelta delta)
        {
            if (!_calls.TryGetValue(delta.Index, out V1.ToolCall? call))
            {
                call = new V1.ToolCall();
                _calls[delta.Index] = call;
            }

            if (delta.Id.Length > 0)
            {
                call.Id = delta.Id;
            }

            if (delta.Name.Length > 0)
            {
                call.Name = delta.Name;
            }

            call.ArgumentsJson += delta.ArgumentsDelta;
        }

        public SortedDictionary<uint, V1.ToolCall>.ValueCollection Calls() => _calls.Values;
    }
}
