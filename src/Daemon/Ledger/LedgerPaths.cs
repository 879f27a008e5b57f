using System.Collections;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// Where the ledger goes when config names no path: systemd's StateDirectory when set, the system
/// state directory for root, the user's XDG state directory otherwise.
/// </summary>
public static class LedgerPaths
{
    public const string FileName = "ledger.db";
    public const string SystemPath = "/var/lib/cortex-llmd/" + FileName;

    public static string Resolve(LedgerOptions options, IDictionary environment, uint effectiveUid) =>
        options.Path ?? Default(environment, effectiveUid);

    public static string Default(IDictionary environment, uint effectiveUid)
    {
        // systemd may list several directories separated by ':'; the first is ours.
        if (environment["STATE_DIRECTORY"] is string { Length: > 0 } stateDirectory)
        {
            return Path.Combine(stateDirectory.Split(':')[0], FileName);
        }

        if (effectiveUid == 0)
        {
            return SystemPath;
        }

        string? stateHome = environment["XDG_STATE_HOME"] as string;
        if (string.IsNullOrEmpty(stateHome) || !Path.IsPathFullyQualified(stateHome))
        {
            string home = environment["HOME"] as string ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            stateHome = Path.Combine(home, ".local", "state");
        }

        return Path.Combine(stateHome, "cortex-llmd", FileName);
    }
}
