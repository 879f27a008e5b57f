using System.Collections;
using System.Net.Sockets;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>Claiming the socket path: its directory, the lock beside it, and what a clean stop leaves behind.</summary>
public class SocketGuardTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    [Test]
    public void Acquire_SecondClaimOnSamePath_AlreadyServing()
    {
        string socket = Path.Combine(_dir, "s.sock");
        using SocketGuard first = SocketGuard.Acquire(socket, []);

        Assert.That(() => SocketGuard.Acquire(socket, []),
            Throws.InstanceOf<SocketInUseException>().With.Message.EqualTo($"another cortex-llmd is already serving {socket} (it holds {socket}.lock)"));
    }

    [Test]
    public void Dispose_CleanStop_RemovesSocketAndLockFileAndFreesThePath()
    {
        string socket = Path.Combine(_dir, "s.sock");
        SocketGuard guard = SocketGuard.Acquire(socket, []);
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(socket));
        }

        guard.Dispose();

        Assert.That(File.Exists(socket + ".lock"), Is.False);
        Assert.That(File.Exists(socket), Is.False);
        using SocketGuard again = SocketGuard.Acquire(socket, []);
        Assert.That(File.Exists(socket + ".lock"), Is.True);
    }

    [Test]
    public void Acquire_LeftoverLockFileNobodyHolds_Reused()
    {
        string socket = Path.Combine(_dir, "s.sock");
        File.WriteAllText(socket + ".lock", "");

        using SocketGuard guard = SocketGuard.Acquire(socket, []);

        Assert.That(guard.RemovedStaleSocket, Is.False);
    }

    [Test]
    public void Acquire_MissingDirectoryNotStandard_RefusesAndCreatesNothing()
    {
        string socket = Path.Combine(_dir, "a", "b", "s.sock");

        Assert.That(() => SocketGuard.Acquire(socket, [Path.Combine(_dir, "cortex")]),
            Throws.InstanceOf<SocketInUseException>().With.Message.Contains($"the directory {Path.Combine(_dir, "a", "b")} does not exist; create it first"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "a")), Is.False);
    }

    [Test]
    public void Acquire_StandardDirectoryMissing_CreatesOnlyItPrivate()
    {
        string directory = Path.Combine(_dir, "cortex");
        using SocketGuard guard = SocketGuard.Acquire(Path.Combine(directory, "llmd.sock"), [directory]);

        Assert.That(Directory.Exists(directory), Is.True);
        Assert.That(File.GetUnixFileMode(directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void Acquire_StandardDirectoryWhoseParentIsMissing_RefusesAndCreatesNothing()
    {
        string directory = Path.Combine(_dir, "run", "cortex");

        Assert.That(() => SocketGuard.Acquire(Path.Combine(directory, "llmd.sock"), [directory]),
            Throws.InstanceOf<SocketInUseException>().With.Message.Contains($"because {Path.Combine(_dir, "run")} does not exist"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "run")), Is.False);
    }

    [Test]
    public void CreatableDirectories_UserWithRuntimeDir_StandardPlacesOnly()
    {
        var environment = new Hashtable { ["XDG_RUNTIME_DIR"] = "/home/u/.run" };

        Assert.That(SocketPaths.CreatableDirectories(environment, 1000),
            Is.EqualTo(new[] { "/run/cortex", "/home/u/.run/cortex", "/run/user/1000/cortex", "/tmp/cortex-1000" }));
        Assert.That(SocketPaths.CreatableDirectories(new Hashtable(), 0), Is.EqualTo(new[] { "/run/cortex", "/run/user/0/cortex", "/tmp/cortex-0" }));
    }
}
