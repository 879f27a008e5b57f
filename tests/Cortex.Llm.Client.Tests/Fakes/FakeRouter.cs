using System.Collections.Concurrent;
using Cortex.Llm.V1;
using Grpc.Core;

namespace Cortex.Llm.Client.Tests.Fakes;

/// <summary>
/// The Router service with every method answered by a handler the test sets; a method without one answers
/// UNIMPLEMENTED, as the generated base does. Records the path of every call it receives.
/// </summary>
public sealed class FakeRouter : Router.RouterBase
{
    public ConcurrentQueue<string> ReceivedPaths { get; } = new();

    public Func<CompleteRequest, ServerCallContext, Task<CompleteResponse>>? OnComplete { get; set; }

    public Func<CompleteRequest, IServerStreamWriter<CompleteChunk>, ServerCallContext, Task>? OnStreamComplete { get; set; }

    public Func<CompleteRequest, ServerCallContext, Task<RoutingDecision>>? OnRoute { get; set; }

    public Func<GetStatsRequest, ServerCallContext, Task<GetStatsResponse>>? OnGetStats { get; set; }

    public Func<ResetStatsRequest, ServerCallContext, Task<ResetStatsResponse>>? OnResetStats { get; set; }

    public Func<ListProvidersRequest, ServerCallContext, Task<ListProvidersResponse>>? OnListProviders { get; set; }

    public Func<WatchEventsRequest, IServerStreamWriter<Event>, ServerCallContext, Task>? OnWatchEvents { get; set; }

    public void Reset()
    {
        ReceivedPaths.Clear();
        OnComplete = null;
        OnStreamComplete = null;
        OnRoute = null;
        OnGetStats = null;
        OnResetStats = null;
        OnListProviders = null;
        OnWatchEvents = null;
    }

    public override Task<CompleteResponse> Complete(CompleteRequest request, ServerCallContext context) =>
        Record(context, OnComplete)?.Invoke(request, context) ?? base.Complete(request, context);

    public override Task StreamComplete(CompleteRequest request, IServerStreamWriter<CompleteChunk> responseStream, ServerCallContext context) =>
        Record(context, OnStreamComplete)?.Invoke(request, responseStream, context) ?? base.StreamComplete(request, responseStream, context);

    public override Task<RoutingDecision> Route(CompleteRequest request, ServerCallContext context) =>
        Record(context, OnRoute)?.Invoke(request, context) ?? base.Route(request, context);

    public override Task<GetStatsResponse> GetStats(GetStatsRequest request, ServerCallContext context) =>
        Record(context, OnGetStats)?.Invoke(request, context) ?? base.GetStats(request, context);

    public override Task<ResetStatsResponse> ResetStats(ResetStatsRequest request, ServerCallContext context) =>
        Record(context, OnResetStats)?.Invoke(request, context) ?? base.ResetStats(request, context);

    public override Task<ListProvidersResponse> ListProviders(ListProvidersRequest request, ServerCallContext context) =>
        Record(context, OnListProviders)?.Invoke(request, context) ?? base.ListProviders(request, context);

    public override Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context) =>
        Record(context, OnWatchEvents)?.Invoke(request, responseStream, context) ?? base.WatchEvents(request, responseStream, context);

    private T? Record<T>(ServerCallContext context, T? handler)
    {
        ReceivedPaths.Enqueue(context.Method);
        return handler;
    }
}
