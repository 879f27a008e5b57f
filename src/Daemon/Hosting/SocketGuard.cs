using System.Net.Sockets;

namespace Cortex.Llmd.Hosting;

/// <summary>The socket path is already served, or cannot be claimed; the message says why.</summary>
public sealed class SocketInUseException(string message) : Exception(message);

/// <summary>
/// Claims a socket path for this process: an exclusive lock beside it (so two daemons starting at once
/// cannot both win), then removal of a stale socket file only when nothing answers on it.
/// </summary>
public sealed class SocketGuard : IDisposable
{
    private readonly FileStream _lock;

    private SocketGuard(string socketPath, FileStream lockFile, bool removedStale)
    {
        SocketPath = socketPath;
        _lock = lockFile;
        RemovedStaleSocket = removedStale;
    }

    public string SocketPath { get; }

    public bool RemovedStaleSocket { get; }

    public static SocketGuard Acquire(string socketPath)
    {
        string directory = Path.GetDirectoryName(socketPath) ?? "/";
        Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            // On Unix, FileShare.None is an advisory flock: held until this process exits, even by SIGKILL.
            lockFile = new FileStream(socketPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new SocketInUseException($"another cortex-llmd is already serving {socketPath} (it holds {socketPath}.lock)");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SocketInUseException($"cannot create {socketPath}.lock: {ex.Message}");
        }

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

    public void Dispose()
    {
        try
        {
            File.Delete(SocketPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover socket is detected as stale by the next start.
        }

        // The lock file stays: deleting it while held would let a newcomer lock a fresh inode.
        _lock.Dispose();
    }
}
