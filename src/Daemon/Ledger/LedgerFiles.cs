namespace Cortex.Llmd.Ledger;

/// <summary>
/// The ledger's modes, set explicitly rather than left to the umask: with storePrompts on the file holds
/// prompts and answers, so outside systemd (whose unit sets UMask) a permissive umask must not expose it.
/// </summary>
public static class LedgerFiles
{
    public const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    public const UnixFileMode DatabaseMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>The files SQLite keeps beside the database in WAL mode.</summary>
    public static readonly string[] Companions = ["-wal", "-shm"];

    /// <summary>
    /// Creates the directory 0750 when it is missing. An existing directory keeps its mode: it may be
    /// shared (a configured path in /tmp, a StateDirectory systemd manages) and is not ours to change.
    /// </summary>
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory, DirectoryMode);
        File.SetUnixFileMode(directory, DirectoryMode);
    }

    /// <summary>
    /// Creates an empty database file 0640 before SQLite opens it: SQLite would create it 0644 minus the
    /// umask, and gives the WAL and shared-memory files the database's mode.
    /// </summary>
    public static void EnsureDatabase(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = DatabaseMode });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another opener created it first; Restrict below still sets its mode.
        }

        File.SetUnixFileMode(path, DatabaseMode);
    }

    /// <summary>Sets 0640 on the database and whichever of its companion files exist.</summary>
    public static void Restrict(string path)
    {
        SetIfPresent(path);
        foreach (string suffix in Companions)
        {
            SetIfPresent(path + suffix);
        }
    }

    private static void SetIfPresent(string file)
    {
        if (File.Exists(file) && File.GetUnixFileMode(file) != DatabaseMode)
        {
            File.SetUnixFileMode(file, DatabaseMode);
        }
    }
}
