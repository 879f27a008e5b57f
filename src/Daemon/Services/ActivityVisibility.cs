using Cortex.Llm.V1;
using Cortex.Llmd.Access;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Errors;

namespace Cortex.Llmd.Services;

/// <summary>
/// What of other callers' activity a caller sees. Requests carry who made them (uid, pid, process,
/// tenant); a non-admin sees only its own uid's, unless access.shareActivity says otherwise. Events that
/// name no caller (provider state, probes, budgets, resets, reloads) describe the daemon and go to all.
/// </summary>
public static class ActivityVisibility
{
    /// <summary>
    /// Adds the caller's own uid as the caller_uid filter for a caller that may not see everyone. Asking
    /// for another uid is refused rather than quietly rewritten: an answer about the caller itself,
    /// labelled as another's, would mislead.
    /// </summary>
    public static GetStatsRequest Narrow(GetStatsRequest request, AccessPolicy policy, CallerInfo caller)
    {
        ActivityScope scope = policy.ScopeFor(caller);
        if (scope.All)
        {
            return request;
        }

        if (scope.Uid is not { } own)
        {
            throw new RouterException(RouterErrorCode.PermissionDenied, $"statistics need a caller of known identity: {policy.ActivityRule}");
        }

        if (request.Filter?.CallerUid is { } asked && asked != own)
        {
            throw new RouterException(RouterErrorCode.PermissionDenied, $"uid {own} asked for uid {asked}'s statistics: {policy.ActivityRule}");
        }

        GetStatsRequest narrowed = request.Clone();
        narrowed.Filter ??= new StatsFilter();
        narrowed.Filter.CallerUid = own;
        return narrowed;
    }

    public static bool CanSee(ActivityScope scope, Event evt) =>
        evt.KindCase != Event.KindOneofCase.RequestFinished || scope.CanSee(evt.RequestFinished.Caller?.Uid);
}
