using System.Collections;
using System.Globalization;

namespace Cortex.Llmd.Hosting;

/// <summary>Where the socket goes when nothing names it, and which socket directories the daemon may create.</summary>
public static class SocketPaths
{
    public const string SystemDirectory = "/run/cortex";
    public const string SystemPath = SystemDirectory + "/llmd.sock";

    /// <summary>The system path for root, the user's runtime dir otherwise.</summary>
    public static string Default(IDictionary environment, uint effectiveUid)
    {
        if (effectiveUid == 0)
        {
            return SystemPath;
        }

        return Path.Combine(RuntimeDirectory(environment, effectiveUid), "cortex", "llmd.sock");
    }

    /// <summary>
    /// The standard socket directories, which the daemon creates when they are missing (and only
    /// them, and only the last level): /run/cortex, the runtime dir's cortex/, and the /tmp/cortex-UID
    /// that scripts/socket-path.sh falls back to. A socket anywhere else needs an existing directory,
    /// so a typo in --socket never leaves a chain of directories behind.
    /// </summary>
    public static IReadOnlyList<string> CreatableDirectories(IDictionary environment, uint effectiveUid)
    {
        string uid = effectiveUid.ToString(CultureInfo.InvariantCulture);
        return new[]
        {
            SystemDirectory,
            Path.Combine(RuntimeDirectory(environment, effectiveUid), "cortex"),
            "/run/user/" + uid + "/cortex",
            "/tmp/cortex-" + uid,
        }.Distinct().ToList();
    }

    private static string RuntimeDirectory(IDictionary environment, uint effectiveUid) =>
        environment["XDG_RUNTIME_DIR"] is string { Length: > 0 } runtimeDir
            ? runtimeDir
            : "/run/user/" + effectiveUid.ToString(CultureInfo.InvariantCulture);
}
