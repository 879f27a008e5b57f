using System.Net.Sockets;
using System.Text;
using Cortex.Llmd.Hosting.Connections;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>An HTTP/1.1 refusal the client can read, however late its request comes, and its bounds.</summary>
public class LingeringRefusalsTests
{
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    [Test]
    public async Task Refuse_RequestWrittenAfterTheRefusal_ClientStillReadsTheAnswer()
    {
        (Socket daemonEnd, Socket client) = Pair();
        using (client)
        {
            var refusals = new LingeringRefusals(TimeProvider.System);
            refusals.Refuse(daemonEnd, Answer);
            await Task.Delay(200);

            // Sent at once and closed, the answer would be gone and this write would fail (EPIPE).
            await client.SendAsync(Encoding.ASCII.GetBytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));

            Assert.That(await ReadToEndAsync(client), Is.EqualTo(Answer));
            await WaitForAsync(() => refusals.Lingering == 0, "the refusal lets go of its socket within the linger");
        }
    }

    [Test]
    public async Task Refuse_CallerNeverWrites_ClosedAfterTheLinger()
    {
        (Socket daemonEnd, Socket client) = Pair();
        using (client)
        {
            var refusals = new LingeringRefusals(TimeProvider.System);
            refusals.Refuse(daemonEnd, Answer);

            Assert.That(refusals.Lingering, Is.EqualTo(1));
            await WaitForAsync(() => refusals.Lingering == 0, "a silent caller is let go after the linger");
            Assert.That(await ReadToEndAsync(client), Is.Empty, "nothing was asked, so nothing was answered");
        }
    }

    [Test]
    public async Task Refuse_MoreThanTheLingeringBound_TheRestAreAnsweredAndClosedAtOnce()
    {
        var pairs = Enumerable.Range(0, LingeringRefusals.MaxLingering + 1).Select(_ => Pair()).ToList();
        var refusals = new LingeringRefusals(TimeProvider.System);
        try
        {
            pairs.ForEach(p => refusals.Refuse(p.DaemonEnd, Answer));

            Assert.That(refusals.Lingering, Is.EqualTo(LingeringRefusals.MaxLingering));
            Assert.That(await ReadToEndAsync(pairs[^1].Client), Is.EqualTo(Answer), "the one over the bound got its answer without writing anything");
        }
        finally
        {
            pairs.ForEach(p => p.Client.Dispose());
        }

        await WaitForAsync(() => refusals.Lingering == 0, "all let go when their callers closed");
    }

    private static (Socket DaemonEnd, Socket Client) Pair()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lr-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        Socket daemonEnd = listener.Accept();
        File.Delete(path);
        return (daemonEnd, client);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = new List<byte>();
        byte[] buffer = new byte[1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            read.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        return [.. read];
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), what);
            await Task.Delay(20);
        }
    }
}
