using Cortex.Llmd.Callers;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Access;

/// <summary>
/// Every door's access check, before a call does any work: a token from the caller's bucket, and an
/// admin for admin actions. Refusals are logged here, throttled per caller, never once per call, and
/// thrown as <see cref="RouterException"/> for each door to map to its own status.
/// </summary>
public sealed class CallerAdmission(AccessPolicySource policies, CallerRateLimiter limiter, CallerLogThrottle throttle, ILogger<CallerAdmission> logger)
{
    public AccessPolicy Policy => policies.Current;

    /// <summary>Returns when <paramref name="caller"/> may go on; throws the refusal otherwise.</summary>
    /// <param name="caller">Who calls, as the kernel reported it.</param>
    /// <param name="adminAction">The admin action the call is, or null when it is not one.</param>
    public void Admit(CallerInfo caller, string? adminAction)
    {
        AccessPolicy policy = policies.Current;
        RateLimitOptions limit = policy.Options.RateLimit;
        RateDecision rate = policy.IsRateLimited(caller) ? limiter.TryAcquire(caller.Uid, limit) : RateDecision.Allowed;
        if (!rate.IsAllowed)
        {
            if (throttle.ShouldLog(caller.Uid, "rate", out long held))
            {
                Log.RateLimited(logger, caller.ToString(), limit.RequestsPerSecond, limit.Burst, held);
            }

            throw new RouterException(RouterErrorCode.RateLimited, RateMessage(caller, limit, rate.RetryAfter)) { RetryAfter = rate.RetryAfter };
        }

        if (adminAction is not null && policy.RefuseAdmin(caller, adminAction) is { } refusal)
        {
            Denied(caller, adminAction, "not an admin");
            throw new RouterException(RouterErrorCode.PermissionDenied, refusal);
        }
    }

    /// <summary>Logs a refusal the door decided itself (throttled per caller and kind, like the others).</summary>
    public void Denied(CallerInfo caller, string action, string reason)
    {
        if (throttle.ShouldLog(caller.Uid, action, out long held))
        {
            Log.AccessDenied(logger, action, caller.ToString(), reason, held);
        }
    }

    private static string RateMessage(CallerInfo caller, RateLimitOptions limit, TimeSpan retryAfter)
    {
        string who = caller.Uid is { } uid ? $"uid {uid}" : "callers of unknown identity";
        long ms = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds));
        return $"rate limit: {who} may make {limit.RequestsPerSecond} calls per second (burst {limit.Burst}, access.rateLimit); retry in {ms} ms";
    }
}
