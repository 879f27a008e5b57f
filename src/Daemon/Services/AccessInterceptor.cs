using Cortex.Llm.V1;
using Cortex.Llmd.Access;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Services;

/// <summary>
/// The door's one access check, before any handler runs: every Router call takes a token from its
/// caller's bucket, admin calls need an admin, and a non-admin's GetStats is narrowed to its own uid
/// (WatchEvents is narrowed where it subscribes, in the service, so hidden events never fill its
/// buffer). Health and reflection pass untouched, so a limited or refused caller can still see whether
/// the daemon is up. Registered outermost, so its refusals are logged here, throttled per caller, and
/// never once per call.
/// </summary>
public sealed class AccessInterceptor(
    AccessPolicySource policies, CallerAdmission admission, CallerLogThrottle throttle, ILogger<AccessInterceptor> logger) : Interceptor
{
    private const string RouterPrefix = "/" + RouterService.ServiceName + "/";

    /// <summary>Calls that change the daemon's state for everyone; later config and breaker controls join this list.</summary>
    private static readonly Dictionary<string, string> AdminMethods = new(StringComparer.Ordinal)
    {
        [RouterPrefix + "ResetStats"] = "ResetStats",
    };

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        CallerInfo caller = CallerIdentity.Of(context.GetHttpContext());
        Admit(context.Method, caller);
        return continuation(request is GetStatsRequest stats ? (TRequest)(object)NarrowStats(stats, caller) : request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context.Method, CallerIdentity.Of(context.GetHttpContext()));
        return continuation(request, responseStream, context);
    }

    /// <summary>Returns when <paramref name="caller"/> may call <paramref name="method"/>; throws the refusal's status otherwise.</summary>
    public void Admit(string method, CallerInfo caller)
    {
        if (!method.StartsWith(RouterPrefix, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            admission.Admit(caller, AdminMethods.GetValueOrDefault(method));
        }
        catch (RouterException error)
        {
            throw Refusal(error);
        }
    }

    /// <summary>A non-admin's statistics query, narrowed to its own uid (see <see cref="ActivityVisibility"/>).</summary>
    public GetStatsRequest NarrowStats(GetStatsRequest request, CallerInfo caller)
    {
        try
        {
            return ActivityVisibility.Narrow(request, policies.Current, caller);
        }
        catch (RouterException error)
        {
            if (throttle.ShouldLog(caller.Uid, "stats", out long held))
            {
                Log.AccessDenied(logger, "GetStats", caller.ToString(), "another caller's statistics", held);
            }

            throw Refusal(error);
        }
    }

    private static RpcException Refusal(RouterException error) => RouterErrorMapping.ToRpc(error);
}
