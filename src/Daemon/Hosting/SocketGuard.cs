using System.Globalization;
using System.Net.Sockets;

namespace Cortex.Llmd.Hosting;

/// <summary>The socket path is already served, or cannot be claimed; the message says why (exit 73).</summary>
public sealed class SocketInUseException(string message) : Exception(message);

/// <summary>
/// Claims a socket path for this process: its directory (created only in a standard place), an
/// exclusive lock beside it (so two daemons starting at once cannot both win), then removal of a stale
/// socket file only when nothing answers on it. A clean stop removes the socket and the lock file.
/// </summary>
public sealed class SocketGuard : IDisposable
{
    private const int LockAttempts = 3;
    private readonly FileStream _lock;

    private SocketGuard(string socketPath, FileStream lockFile, bool removedStale)
    {
        SocketPath = socketPath;
        _lock = lockFile;
        RemovedStaleSocket = removedStale;
    }

    public string SocketPath { get; }

    public string LockPath => SocketPath + ".lock";

    public bool RemovedStaleSocket { get; }

    /// <param name="socketPath">The socket to serve.</param>
    /// <param name="creatableDirectories">Directories that may be created when missing (see <see cref="SocketPaths.CreatableDirectories"/>).</param>
    public static SocketGuard Acquire(string socketPath, IReadOnlyCollection<string> creatableDirectories)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(socketPath)) ?? "/";
        SocketDirectory.Prepare(socketPath, directory, creatableDirectories);
        FileStream lockFile = Lock(socketPath, directory);
        try
        {
            bool removed = RemoveIfStale(socketPath);
            return new SocketGuard(socketPath, lockFile, removed);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static FileStream Lock(string socketPath, string directory)
    {
        string lockPath = socketPath + ".lock";
        for (int attempt = 1; ; attempt++)
        {
            FileStream lockFile;
            try
            {
                // On Unix, FileShare.None is an advisory flock: held until this process exits, even by SIGKILL.
                lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException)
            {
                throw new SocketInUseException(
                    $"cannot serve {socketPath}: the directory {directory} is not writable by uid {NativeMethods.GetEffectiveUserId()} "
                    + $"(permission denied creating {lockPath}); choose another --socket or give the daemon's user that directory");
            }
            catch (IOException ex) when (ex.HResult == SharingViolation)
            {
                throw new SocketInUseException($"another cortex-llmd is already serving {socketPath} (it holds {lockPath})");
            }
            catch (IOException ex)
            {
                throw new SocketInUseException($"cannot serve {socketPath}: cannot create {lockPath}: {ex.Message}");
            }

            // A stopping owner unlinks the lock file while still holding it. Had we opened that file just
            // before, we would now hold a lock on a file no path names, beside a newcomer holding the new one.
            if (NamesOpenFile(lockFile) || attempt == LockAttempts)
            {
                return lockFile;
            }

            lockFile.Dispose();
        }
    }

    // EWOULDBLOCK from flock(LOCK_NB): .NET reports the errno as the HResult of the IOException.
    private const int SharingViolation = 11;

    private static bool NamesOpenFile(FileStream file)
    {
        string descriptor = "/proc/self/fd/" + file.SafeFileHandle.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture);
        string? target = new FileInfo(descriptor).LinkTarget;
        return target is not null && !target.EndsWith(" (deleted)", StringComparison.Ordinal);
    }

    private static bool RemoveIfStale(string socketPath)
    {
        if (Directory.Exists(socketPath))
        {
            throw new SocketInUseException($"{socketPath} is a directory, not a socket");
        }

        if (!File.Exists(socketPath))
        {
            return false;
        }

        if (Answers(socketPath))
        {
            throw new SocketInUseException($"another process is already serving {socketPath}");
        }

        if (IsRegularFile(socketPath))
        {
            throw new SocketInUseException($"{socketPath} exists and is not a socket; refusing to delete it");
        }

        File.Delete(socketPath);
        return true;
    }

    private static bool Answers(string socketPath)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Opening a socket file fails with ENXIO; opening a regular file succeeds.
    private static bool IsRegularFile(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes the socket, then the lock file while still holding it (see <see cref="Lock"/>), then releases the lock.</summary>
    public void Dispose()
    {
        TryDelete(SocketPath);
        TryDelete(LockPath);
        _lock.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover socket is detected as stale by the next start, and a leftover lock is reused.
        }
    }
}
