namespace Cortex.Llmd.Access;

/// <summary>Turns group names into gids: the admin rule is written with names, the kernel reports gids.</summary>
public interface IGroupDatabase
{
    /// <summary>The group's gid, or null when no such group exists.</summary>
    uint? GidOf(string group);
}

/// <summary>
/// The local group file, read the way the socket's group is applied: the package creates its groups
/// there, and a plain file read cannot hang on a directory service the way an NSS lookup can.
/// </summary>
public sealed class GroupFile(string path = GroupFile.DefaultPath) : IGroupDatabase
{
    public const string DefaultPath = "/etc/group";

    public uint? GidOf(string group)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (string line in File.ReadLines(path))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && uint.TryParse(fields[2], out uint gid))
            {
                return gid;
            }
        }

        return null;
    }
}
