using Cortex.Llmd.Callers;

namespace Cortex.Llmd.Access;

/// <summary>
/// Decides from a caller's kernel-reported identity whether it is an admin and whose activity it may
/// see. Transport-free: the gRPC door asks, and turns a refusal into its own status.
/// </summary>
public sealed class AccessPolicy
{
    private readonly HashSet<uint> _adminUids;
    private readonly uint _daemonUid;
    private readonly uint[] _adminGids;

    /// <param name="options">The access section.</param>
    /// <param name="groups">Resolves admin group names; groups that do not exist are left out.</param>
    /// <param name="daemonUid">The uid the daemon runs as: it owns the ledger file anyway, so it is an admin too.</param>
    public AccessPolicy(AccessOptions options, IGroupDatabase groups, uint daemonUid)
    {
        Options = options;
        _daemonUid = daemonUid;
        _adminUids = [0, daemonUid, .. options.AdminUids];
        var gids = new List<uint>();
        var missing = new List<string>();
        foreach (string group in options.AdminGroups)
        {
            if (groups.GidOf(group) is { } gid)
            {
                gids.Add(gid);
            }
            else
            {
                missing.Add(group);
            }
        }

        _adminGids = [.. gids];
        MissingGroups = missing;
        AdminRule = DescribeAdminRule(options);
    }

    public AccessOptions Options { get; }

    /// <summary>Admin groups that do not exist on this system (they make nobody an admin).</summary>
    public IReadOnlyList<string> MissingGroups { get; }

    /// <summary>Who counts as an admin, in the words of the config keys; quoted in every refusal.</summary>
    public string AdminRule { get; }

    /// <summary>Root, the daemon's own uid, a listed uid, or a member of a listed group. An unknown caller never is.</summary>
    public bool IsAdmin(CallerInfo caller)
    {
        if (caller.Uid is not { } uid)
        {
            return false;
        }

        return _adminUids.Contains(uid) || Array.Exists(_adminGids, caller.IsInGroup);
    }

    /// <summary>
    /// Root and the daemon's own uid are never rate-limited: they own the daemon (they can stop it, read its
    /// ledger and keys), and the limit exists to keep one unprivileged caller from starving the others.
    /// </summary>
    public bool IsRateLimited(CallerInfo caller) => caller.Uid is not { } uid || (uid != 0 && uid != _daemonUid);

    /// <summary>Null when the caller may run the admin action; else the refusal, naming the rule.</summary>
    public string? RefuseAdmin(CallerInfo caller, string action) =>
        IsAdmin(caller) ? null : $"{action} needs an admin: {AdminRule}; the caller is {Describe(caller)}";

    /// <summary>Whose requests the caller may see in statistics and events.</summary>
    public ActivityScope ScopeFor(CallerInfo caller) =>
        Options.ShareActivity || IsAdmin(caller) ? ActivityScope.Everyone : ActivityScope.OnlyUid(caller.Uid);

    /// <summary>Why a non-admin sees only its own requests, for a refusal of a wider query.</summary>
    public string ActivityRule => $"callers that are not admins ({AdminRule}) see only their own uid's requests unless access.shareActivity is true";

    private static string Describe(CallerInfo caller) => caller.Uid is { } uid ? $"uid {uid}" : "of unknown identity";

    private static string DescribeAdminRule(AccessOptions options)
    {
        string uids = options.AdminUids.Count == 0 ? "none" : string.Join(", ", options.AdminUids);
        string groups = options.AdminGroups.Count == 0 ? "none" : string.Join(", ", options.AdminGroups);
        return $"root, the daemon's own uid, a uid in access.adminUids ({uids}), or a member of access.adminGroups ({groups})";
    }
}

/// <summary>Whose requests a viewer may see: everyone's, or only those of one uid (none when its uid is unknown).</summary>
public readonly record struct ActivityScope(bool All, uint? Uid)
{
    public static ActivityScope Everyone => new(true, null);

    public static ActivityScope OnlyUid(uint? uid) => new(false, uid);

    public bool CanSee(uint? callerUid) => All || (Uid is { } own && callerUid == own);
}
