using Cortex.Llm.Cli;
using Grpc.Core;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

[TestFixture]
public sealed class CommandContextTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 5, 0, 0, DateTimeKind.Utc);

    [Test]
    public void Deadline_NoTimeout_IsNone()
    {
        Assert.That(CommandContext.Deadline(null, Now), Is.Null);
    }

    [Test]
    public void Deadline_Timeout_CountsFromNow()
    {
        Assert.That(CommandContext.Deadline(TimeSpan.FromSeconds(30), Now), Is.EqualTo(Now.AddSeconds(30)));
    }

    [Test]
    public void Deadline_TimeoutPastTheEndOfTime_IsGrpcInfinite()
    {
        Assert.That(CommandContext.Deadline(TimeSpan.MaxValue, Now), Is.EqualTo(DateTime.MaxValue));
    }

    private static (CommandContext Context, StringWriter Err) Context()
    {
        var err = new StringWriter();
        var host = new CliHost(new StringWriter(), err, new StringReader(string.Empty), StderrIsTerminal: false, HandleSignals: false);
        return (new CommandContext(host, "/nonexistent/cortex-test.sock", json: false, verbose: false, timeout: null), err);
    }

    [Test]
    public async Task RunAsync_StreamTornDownAfterCtrlC_ExitsInterruptedSilently()
    {
        (CommandContext context, StringWriter err) = Context();
        using var interrupted = new CancellationTokenSource();
        await interrupted.CancelAsync();

        // What Grpc.Net.Client throws when Ctrl-C lands in the middle of reading a streamed message.
        int code = await context.RunAsync(
            _ => throw new RpcException(new Status(StatusCode.Unavailable, "Error reading next message. IOException: The request was aborted.")),
            interrupted.Token);

        Assert.That(code, Is.EqualTo(ExitCodes.Interrupted));
        Assert.That(err.ToString(), Is.Empty);
    }

    [Test]
    public async Task RunAsync_UnavailableWithoutInterrupt_ReportsTheStatus()
    {
        (CommandContext context, StringWriter err) = Context();

        int code = await context.RunAsync(
            _ => throw new RpcException(new Status(StatusCode.Unavailable, "all 2 attempts failed")), CancellationToken.None);

        Assert.That(code, Is.EqualTo(ExitCodes.FromStatus(StatusCode.Unavailable)));
        Assert.That(err.ToString(), Does.StartWith("cortex-llm: UNAVAILABLE"));
    }

    [Test]
    public async Task RunAsync_PermissionDenied_OneLineAndExit8()
    {
        (CommandContext context, StringWriter err) = Context();

        int code = await context.RunAsync(
            _ => throw new RpcException(new Status(StatusCode.PermissionDenied, "ResetStats needs an admin: root, ...")), CancellationToken.None);

        Assert.That(code, Is.EqualTo(8));
        Assert.That(err.ToString(), Is.EqualTo("cortex-llm: PERMISSION_DENIED: ResetStats needs an admin: root, ..." + Environment.NewLine));
    }

    [Test]
    public async Task RunAsync_RateLimited_OneLineAndExit9()
    {
        (CommandContext context, StringWriter err) = Context();
        var trailers = new Metadata { { "retry-after-ms", "50" } };

        int code = await context.RunAsync(
            _ => throw new RpcException(new Status(StatusCode.ResourceExhausted, "rate limit: uid 1000 may make 20 calls per second (burst 40, access.rateLimit); retry in 50 ms"), trailers),
            CancellationToken.None);

        Assert.That(code, Is.EqualTo(9));
        Assert.That(err.ToString(), Is.EqualTo(
            "cortex-llm: RESOURCE_EXHAUSTED: rate limit: uid 1000 may make 20 calls per second (burst 40, access.rateLimit); retry in 50 ms" + Environment.NewLine));
    }

    [Test]
    public async Task RunAsync_BudgetExhaustedWithoutRetryDelay_KeepsExit7()
    {
        (CommandContext context, StringWriter _) = Context();

        int code = await context.RunAsync(_ => throw new RpcException(new Status(StatusCode.ResourceExhausted, "budget daily exhausted")), CancellationToken.None);

        Assert.That(code, Is.EqualTo(7));
    }
}
