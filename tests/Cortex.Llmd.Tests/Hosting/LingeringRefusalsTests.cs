using System.Net.Sockets;
using System.Text;
using Cortex.Llmd.Hosting.Connections;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>An HTTP/1.1 refusal the client can read, however late its request comes, and its bounds.</summary>
public class LingeringRefusalsTests
{
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    [Test]
    public async Task Refuse_RequestWrittenAfterTheRefusal_ClientStillReadsTheAnswer()
    {
        (Socket daemonEnd, Socket client) = UnixSocketPair.Create();
        using (client)
        {
            var refusals = new LingeringRefusals(TimeProvider.System);
            refusals.Refuse(daemonEnd, Answer);
            await Task.Delay(200);

            // Sent at once and closed, the answer would be gone and this write would fail (EPIPE).
            await client.SendAsync(Encoding.ASCII.GetBytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));

            Assert.That(await ReadToEndAsync(client), Is.EqualTo(Answer));
            await Poll.UntilAsync(() => refusals.Lingering == 0, "the refusal lets go of its socket within the linger");
        }
    }

    [Test]
    public async Task Refuse_CallerNeverWrites_ClosedAfterTheLinger()
    {
        (Socket daemonEnd, Socket client) = UnixSocketPair.Create();
        using (client)
        {
            var refusals = new LingeringRefusals(TimeProvider.System);
            refusals.Refuse(daemonEnd, Answer);

            Assert.That(refusals.Lingering, Is.EqualTo(1));
            await Poll.UntilAsync(() => refusals.Lingering == 0, "a silent caller is let go after the linger");
            Assert.That(await ReadToEndAsync(client), Is.Empty, "nothing was asked, so nothing was answered");
        }
    }

    [Test]
    public async Task Refuse_MoreThanTheLingeringBound_TheRestAreAnsweredAndClosedAtOnce()
    {
        var pairs = Enumerable.Range(0, LingeringRefusals.MaxLingering + 1).Select(_ => UnixSocketPair.Create()).ToList();
        var refusals = new LingeringRefusals(TimeProvider.System);
        try
        {
            pairs.ForEach(p => refusals.Refuse(p.Accepted, Answer));

            Assert.That(refusals.Lingering, Is.EqualTo(LingeringRefusals.MaxLingering));
            Assert.That(await ReadToEndAsync(pairs[^1].Caller), Is.EqualTo(Answer), "the one over the bound got its answer without writing anything");
        }
        finally
        {
            pairs.ForEach(p => p.Caller.Dispose());
        }

        await Poll.UntilAsync(() => refusals.Lingering == 0, "all let go when their callers closed");
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

}
