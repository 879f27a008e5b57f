namespace Cortex.Llmd.Hosting;

/// <summary>Makes sure the socket's directory exists, creating it only where the daemon is allowed to.</summary>
internal static class SocketDirectory
{
    public static void Prepare(string socketPath, string directory, IReadOnlyCollection<string> creatable)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        string standard = string.Join(", ", creatable);
        if (!creatable.Contains(directory))
        {
            throw new SocketInUseException(
                $"cannot serve {socketPath}: the directory {directory} does not exist; create it first, or choose a socket in an "
                + $"existing directory (cortex-llmd creates only its own directory in a standard place: {standard})");
        }

        string parent = Path.GetDirectoryName(directory) ?? "/";
        if (!Directory.Exists(parent))
        {
            throw new SocketInUseException(
                $"cannot serve {socketPath}: cannot create {directory} because {parent} does not exist (cortex-llmd creates only the last level)");
        }

        try
        {
            // The system directory must be traversable by the socket's group; a user's own stays private.
            Directory.CreateDirectory(directory, directory == SocketPaths.SystemDirectory
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (UnauthorizedAccessException)
        {
            throw new SocketInUseException(
                $"cannot serve {socketPath}: cannot create {directory}: {parent} is not writable by uid {NativeMethods.GetEffectiveUserId()} (permission denied)");
        }
        catch (IOException ex)
        {
            throw new SocketInUseException($"cannot serve {socketPath}: cannot create {directory}: {ex.Message}");
        }
    }
}
