using System.Globalization;
using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Access;

/// <summary>
/// The "access" section: who is an admin, what non-admins may see, and how fast one caller may call.
/// Who may connect at all is the socket file's mode and group (server.socketMode, server.socketGroup).
/// </summary>
public sealed record AccessOptions
{
    /// <summary>The group the package creates; it counts only on systems where it exists.</summary>
    public const string DefaultAdminGroup = "cortex-admin";

    public IReadOnlyList<string> AdminGroups { get; init; } = [DefaultAdminGroup];

    /// <summary>True when adminGroups was written in the config (a missing group then earns a warning).</summary>
    public bool AdminGroupsConfigured { get; init; }

    public IReadOnlyList<uint> AdminUids { get; init; } = [];

    /// <summary>Non-admins see every caller's requests in GetStats and WatchEvents, not only their own.</summary>
    public bool ShareActivity { get; init; }

    public RateLimitOptions RateLimit { get; init; } = new();

    public static AccessOptions Parse(ConfigNode node)
    {
        node.AllowOnly("adminGroups", "adminUids", "shareActivity", "rateLimit");
        var defaults = new AccessOptions();

        // An empty JSON array leaves a key without value or children: it still counts as written ("no groups").
        bool groupsWritten = node.Children().Any(c => string.Equals(c.Key, "adminGroups", StringComparison.OrdinalIgnoreCase));
        IReadOnlyList<string> groups = groupsWritten ? ParseGroups(node) : defaults.AdminGroups;
        return new AccessOptions
        {
            AdminGroups = groups,
            AdminGroupsConfigured = groupsWritten,
            AdminUids = ParseUids(node),
            ShareActivity = node.Flag("shareActivity", defaults.ShareActivity),
            RateLimit = RateLimitOptions.Parse(node.Child("rateLimit")),
        };
    }

    private static List<string> ParseGroups(ConfigNode node)
    {
        var groups = new List<string>();
        // An empty JSON array reads as one empty string.
        foreach (string name in node.StringList("adminGroups").Where(n => n.Length > 0))
        {
            if (name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
            {
                node.Error("adminGroups", $"'{name}' is not a group name");
                continue;
            }

            groups.Add(name);
        }

        return groups;
    }

    private static List<uint> ParseUids(ConfigNode node)
    {
        var uids = new List<uint>();
        foreach (string text in node.StringList("adminUids"))
        {
            // uid 4294967295 is (uid_t)-1, "no uid": it can never be a caller's.
            if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid) && uid != uint.MaxValue)
            {
                uids.Add(uid);
            }
            else
            {
                node.Error("adminUids", $"'{text}' is not a uid (a whole number from 0 to 4294967294)");
            }
        }

        return uids;
    }
}

/// <summary>A token bucket per caller uid: a steady rate and a burst. A rate of 0 switches the limit off.</summary>
public sealed record RateLimitOptions
{
    public int RequestsPerSecond { get; init; } = 20;

    public int Burst { get; init; } = 40;

    public bool Enabled => RequestsPerSecond > 0;

    /// <summary>The time one token takes to come back.</summary>
    public TimeSpan TokenPeriod => TimeSpan.FromTicks(TimeSpan.TicksPerSecond / Math.Max(1, RequestsPerSecond));

    public static RateLimitOptions Parse(ConfigNode node)
    {
        node.AllowOnly("requestsPerSecond", "burst");
        var defaults = new RateLimitOptions();
        return new RateLimitOptions
        {
            RequestsPerSecond = (int)node.Number("requestsPerSecond", defaults.RequestsPerSecond, 0, 1_000_000),
            Burst = (int)node.Number("burst", defaults.Burst, 1, 1_000_000),
        };
    }
}
