using System.Diagnostics;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Grpc.Core;

namespace Cortex.Llmd.Bench.Targets;

/// <summary>
/// cortex-llmd over its gRPC Unix socket, through the project's client: one channel (HTTP/2, more
/// connections opened by the handler when 100 streams are in flight on one) shared by every call.
/// </summary>
internal sealed class DaemonTarget(string socketPath, int gatewayPid) : ITarget
{
    private readonly CortexLlmClient _client = new(socketPath);
    private readonly CompleteRequest _plain = Conversation.Grpc(DaemonConfig.PlainRoute, limitTokens: true);
    private readonly CompleteRequest _fallback = Conversation.Grpc(DaemonConfig.FallbackRoute, limitTokens: true);
    private readonly CompleteRequest _long = Conversation.Grpc(DaemonConfig.LongRoute, limitTokens: false);
    private long _ok;
    private long _failed;

    public string Name => "cortex-llmd (gRPC)";

    public int? GatewayPid => gatewayPid;

    /// <summary>Router calls that returned OK, warm-ups included: each must be one ledger row.</summary>
    public long Answered => Interlocked.Read(ref _ok);

    /// <summary>Router calls that failed; they get ledger rows too.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public string? Unsupported(Workload workload) => null;

    public async ValueTask<string> SampleAsync(CancellationToken cancellationToken)
    {
        CompleteResponse response = await _client.Router.CompleteAsync(_plain, cancellationToken: cancellationToken);
        Interlocked.Increment(ref _ok);
        return response.Content;
    }

    public async ValueTask<bool> CompleteAsync(Workload workload, CancellationToken cancellationToken)
    {
        using AsyncUnaryCall<CompleteResponse> call = _client.Router.CompleteAsync(workload == Workload.Fallback ? _fallback : _plain, cancellationToken: cancellationToken);
        try
        {
            await call.ResponseAsync;
            Interlocked.Increment(ref _ok);
            return true;
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref _failed);
            return false;
        }
    }

    public async ValueTask<StreamOutcome> StreamAsync(Workload workload, CancellationToken cancellationToken)
    {
        using AsyncServerStreamingCall<CompleteChunk> call = _client.Router.StreamComplete(workload == Workload.LongStream ? _long : _plain, cancellationToken: cancellationToken);
        int chunks = 0;
        long first = 0;
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                if (call.ResponseStream.Current.KindCase == CompleteChunk.KindOneofCase.ContentDelta && chunks++ == 0)
                {
                    first = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref _failed);
            return StreamOutcome.Failed;
        }

        Interlocked.Increment(ref _ok);
        return new StreamOutcome(chunks > 0, first, Stopwatch.GetTimestamp(), chunks);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
