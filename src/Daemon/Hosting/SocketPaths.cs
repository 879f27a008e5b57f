using System.Collections;
using System.Globalization;

namespace Cortex.Llmd.Hosting;

/// <summary>Where the socket goes when nothing names it: the system path for root, the user's runtime dir otherwise.</summary>
public static class SocketPaths
{
    public const string SystemPath = "/run/cortex/llmd.sock";

    public static string Default(IDictionary environment, uint effectiveUid)
    {
        if (effectiveUid == 0)
        {
            return SystemPath;
        }

        string? runtimeDir = environment["XDG_RUNTIME_DIR"] as string;
        if (string.IsNullOrEmpty(runtimeDir))
        {
            runtimeDir = "/run/user/" + effectiveUid.ToString(CultureInfo.InvariantCulture);
        }

        return Path.Combine(runtimeDir, "cortex", "llmd.sock");
    }
}
