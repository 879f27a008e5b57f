using System.Collections.Concurrent;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Support;

/// <summary>
/// Concurrent callers that complete requests until stopped or until the daemon goes away (a SIGKILL),
/// keeping the request id of every answer they received: what a crash must not lose.
/// </summary>
internal sealed class CallLoad
{
    private readonly ConcurrentBag<string> _answered = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;

    private CallLoad(CortexLlmClient client, int callers, Func<int, int, CompleteRequest> request)
    {
        _workers = [.. Enumerable.Range(0, callers).Select(w => Task.Run(() => WorkAsync(client, w, request)))];
    }

    /// <summary>Ids of the answers callers received so far.</summary>
    public IReadOnlyCollection<string> Answered => _answered;

    /// <param name="request">Builds call number <c>i</c> of caller <c>w</c>.</param>
    public static CallLoad Start(CortexLlmClient client, int callers, Func<int, int, CompleteRequest> request) => new(client, callers, request);

    /// <summary>Stops the callers and waits for those still in a call (they end when the daemon is gone).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(timeout);
        _stop.Dispose();
    }

    private async Task WorkAsync(CortexLlmClient client, int worker, Func<int, int, CompleteRequest> request)
    {
        for (int i = 0; !_stop.IsCancellationRequested; i++)
        {
            try
            {
                _answered.Add((await client.CompleteAsync(request(worker, i))).RequestId);
            }
            catch (Exception ex) when (ex is RpcException or HttpRequestException or IOException or TaskCanceledException)
            {
                return; // the daemon is gone
            }
        }
    }
}
