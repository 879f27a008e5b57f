using System.Globalization;

namespace Cortex.Llm.Client;

/// <summary>Where the daemon listens by default. The daemon applies the same rule, so both agree without configuration.</summary>
public static class CortexSocket
{
    public const string EnvironmentVariable = "CORTEX_LLMD_SOCKET";
    public const string SystemPath = "/run/cortex/llmd.sock";

    /// <summary>
    /// $CORTEX_LLMD_SOCKET when set; for root the system socket; otherwise the user's runtime directory
    /// ($XDG_RUNTIME_DIR, else /run/user/UID when it exists); the system socket as a last resort.
    /// </summary>
    public static string DefaultPath() =>
        Resolve(Environment.GetEnvironmentVariable, EffectiveUserId(), Directory.Exists);

    internal static string Resolve(Func<string, string?> environment, uint? effectiveUid, Func<string, bool> directoryExists)
    {
        string? explicitPath = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return explicitPath;
        }

        if (effectiveUid is null or 0)
        {
            return SystemPath;
        }

        string? runtimeDirectory = environment("XDG_RUNTIME_DIR");
        if (!string.IsNullOrWhiteSpace(runtimeDirectory) && Path.IsPathRooted(runtimeDirectory))
        {
            return Path.Combine(runtimeDirectory, "cortex", "llmd.sock");
        }

        string userDirectory = "/run/user/" + effectiveUid.Value.ToString(CultureInfo.InvariantCulture);
        return directoryExists(userDirectory) ? Path.Combine(userDirectory, "cortex", "llmd.sock") : SystemPath;
    }

    /// <summary>
    /// The effective uid from /proc/self/status: .NET has no API for it, and the user name cannot tell
    /// root from a renamed uid 0 or a setuid process.
    /// </summary>
    internal static uint? EffectiveUserId()
    {
        try
        {
            return ParseEffectiveUid(File.ReadAllText("/proc/self/status"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads the second field of the "Uid:" line (real, effective, saved, filesystem).</summary>
    internal static uint? ParseEffectiveUid(string procStatus)
    {
        foreach (string line in procStatus.Split('\n'))
        {
            if (!line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                continue;
            }

            string[] fields = line[4..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 2 && uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                ? uid
                : null;
        }

        return null;
    }
}
