using System.Net.Sockets;
using Cortex.Llmd.Systemd;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Systemd;

public class InheritedSocketTests
{
    private static (InheritedSocket? Result, Dictionary<string, string> Left) Take(Dictionary<string, string> environment, int pid = 42)
    {
        InheritedSocket? result = InheritedSocket.Take(name => environment.GetValueOrDefault(name), name => environment.Remove(name), pid);
        return (result, environment);
    }

    [TestCase("42", "1", null, 3, null)]
    [TestCase("42", "1", "llmd", 3, "llmd")]
    [TestCase("42", "3", "other:llmd:more", 4, "llmd")]
    [TestCase("42", "2", "a:b", 3, "a")]
    [TestCase("42", "1", "a:llmd", 3, "a")]
    public void Take_ForUs_PicksLlmdOrFirst(string pid, string fds, string? names, int fd, string? name)
    {
        var environment = new Dictionary<string, string> { ["LISTEN_PID"] = pid, ["LISTEN_FDS"] = fds, ["OTHER"] = "kept" };
        if (names is not null)
        {
            environment["LISTEN_FDNAMES"] = names;
        }

        (InheritedSocket? result, Dictionary<string, string> left) = Take(environment);

        Assert.That(result, Is.EqualTo(new InheritedSocket(fd, name)));
        Assert.That(left.Keys, Is.EquivalentTo(new[] { "OTHER" }));
    }

    [TestCase("41", "1")]
    [TestCase("42", "0")]
    [TestCase("42", "x")]
    [TestCase(null, "1")]
    [TestCase("42", null)]
    public void Take_NotForUs_NullAndStillUnset(string? pid, string? fds)
    {
        var environment = new Dictionary<string, string> { ["LISTEN_FDNAMES"] = "llmd" };
        if (pid is not null)
        {
            environment["LISTEN_PID"] = pid;
        }

        if (fds is not null)
        {
            environment["LISTEN_FDS"] = fds;
        }

        (InheritedSocket? result, Dictionary<string, string> left) = Take(environment);

        Assert.That(result, Is.Null);
        Assert.That(left, Is.Empty);
    }

    [Test]
    public void LocalPath_BoundUnixSocket_ItsPath()
    {
        string dir = TempDirectory.Create();
        try
        {
            string path = Path.Combine(dir, "l.sock");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            var inherited = new InheritedSocket((int)socket.Handle, "llmd");

            Assert.That(inherited.LocalPath(), Is.EqualTo(path));
            Assert.That(inherited.Describe(), Is.EqualTo($"{path} (fd {(int)socket.Handle} from systemd)"));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [TestCase("llmd:llmd-openai", 2, 3, 4)]
    [TestCase("llmd-openai:llmd", 2, 4, 3)]
    [TestCase("llmd-openai", 1, -1, 3)]
    [TestCase("", 2, 3, -1)]
    [TestCase("other:llmd-openai", 2, 3, 4)]
    public void TakeBoth_NamedFds_GrpcAndOpenAiDoorEach(string names, int count, int grpcFd, int openAiFd)
    {
        var environment = new Dictionary<string, string> { ["LISTEN_PID"] = "42", ["LISTEN_FDS"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture), ["LISTEN_FDNAMES"] = names };

        (InheritedSocket? grpc, InheritedSocket? openAi) = InheritedSocket.TakeBoth(name => environment.GetValueOrDefault(name), name => environment.Remove(name), 42);

        Assert.That(grpc?.FileDescriptor ?? -1, Is.EqualTo(grpcFd));
        Assert.That(openAi?.FileDescriptor ?? -1, Is.EqualTo(openAiFd));
        Assert.That(environment, Is.Empty, "the variables are unset, as sd_listen_fds does");
    }
}
