using System.Globalization;

namespace Cortex.Llmd.Tests.Reliability;

/// <summary>The same access model on the OpenAI-compatible door's Unix socket.</summary>
public partial class AccessTests
{
    /// <summary>
    /// POSTs chat completions to the door's socket, a new connection each: prints "denied" when the
    /// socket's mode refuses the connect, else "status:retry-after-or-answer" per call.
    /// </summary>
    private const string DoorScript = """
        import http.client, json, socket, sys
        class Door(http.client.HTTPConnection):
            def connect(self):
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(sys.argv[1])
        out = []
        for _ in range(int(sys.argv[2])):
            c = Door('localhost')
            try:
                c.request('POST', '/v1/chat/completions', json.dumps({'model': 'cortex/r', 'messages': [{'role': 'user', 'content': 'door'}]}), {'Content-Type': 'application/json'})
            except PermissionError:
                print('denied')
                sys.exit(0)
            r = c.getresponse()
            body = json.loads(r.read())
            answer = body['choices'][0]['message']['content'] if r.status == 200 else body['error']['code'] + '/' + (r.getheader('Retry-After') or '-')
            out.append('%d:%s' % (r.status, answer))
            c.close()
        print(' '.join(out))
        """;

    private string DoorSocket => Path.Combine(_dir, "o.sock");

    [Test]
    public async Task Door_UserOutsideTheSocketGroup_IsRefusedByTheFileMode()
    {
        (int code, string stdout, string stderr) = await DoorAsAsync(Outsider, 1);

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Is.EqualTo("denied"), "the door's socket has the gRPC socket's mode and group");
    }

    [Test]
    public async Task Door_MemberOverItsRate_IsAnsweredUnderItsOwnUidThenGets429WithRetryAfter()
    {
        long before = await TotalRequestsAsAsync(Member);

        (int code, string stdout, string stderr) = await DoorAsAsync(Member, 12);

        Assert.That(code, Is.Zero, stderr);
        string[] calls = stdout.Trim().Split(' ');
        string[] answered = [.. calls.Where(c => c.StartsWith("200:", StringComparison.Ordinal))];
        string[] limited = [.. calls.Where(c => c.StartsWith("429:", StringComparison.Ordinal))];
        Assert.That(answered.Length + limited.Length, Is.EqualTo(12), stdout);
        Assert.That(answered, Is.Not.Empty.And.All.EqualTo("200:hello"), stdout);
        Assert.That(limited, Is.Not.Empty, "one uid's token bucket (burst 8, 1/s) covers both doors: " + stdout);
        foreach (string[] parts in limited.Select(l => l.Split('/')))
        {
            Assert.That(parts[0], Is.EqualTo("429:rate_limit_exceeded"), stdout);
            Assert.That(int.Parse(parts[1], CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(1), "Retry-After in whole seconds: " + stdout);
        }
        Assert.That(await TotalRequestsAsAsync(Member) - before, Is.EqualTo(answered.Length), "the door's answers are counted under the member's uid, from SO_PEERCRED");
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> DoorAsAsync(string user, int calls) =>
        RunAsync(["runuser", "-u", user, "--", "/usr/bin/python3", "-c", DoorScript, DoorSocket, calls.ToString(CultureInfo.InvariantCulture)]);
}
