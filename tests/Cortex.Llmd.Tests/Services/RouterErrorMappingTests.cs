using Cortex.Llm;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Services;
using Grpc.Core;

namespace Cortex.Llmd.Tests.Services;

public class RouterErrorMappingTests
{
    /// <summary>
    /// The core names its statuses for the ledger without knowing gRPC; the door maps the same codes to
    /// gRPC statuses. Both lists must say the same thing, or stats and callers would disagree.
    /// </summary>
    [Test]
    public void StatusOf_EveryCoreCode_MatchesTheLedgersStatusName()
    {
        foreach (RouterErrorCode code in Enum.GetValues<RouterErrorCode>())
        {
            Assert.That(StatusNames.Of(RouterErrorMapping.StatusOf(code)), Is.EqualTo(RouterErrorStatus.Name(code)), code.ToString());
        }
    }

    [Test]
    public void ToRpc_FailureWithAttempts_CarriesTheAttemptLogTrailer()
    {
        var log = new AttemptLog { RequestId = "req_1" };
        log.Attempts.Add(new Attempt { Provider = "p", Model = "m", Outcome = AttemptOutcome.Error });

        RpcException rpc = RouterErrorMapping.ToRpc(new RouterException(RouterErrorCode.AllAttemptsFailed, "all 1 attempts failed", log));

        Assert.That(rpc.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(rpc.Status.Detail, Is.EqualTo("all 1 attempts failed"));
        byte[] trailer = rpc.Trailers.GetValueBytes(RouterErrorMapping.AttemptsTrailer)!;
        Assert.That(AttemptLog.Parser.ParseFrom(trailer), Is.EqualTo(log));
    }

    [Test]
    public void ToRpc_HugeMessageAndLongLog_BothAreBounded()
    {
        var log = new AttemptLog { RequestId = "req_1" };
        log.Attempts.AddRange(Enumerable.Range(0, 40).Select(i => new Attempt { Provider = "p" + i, Model = "m", Outcome = AttemptOutcome.Error, Reason = new string('r', 400) }));

        RpcException rpc = RouterErrorMapping.ToRpc(new RouterException(RouterErrorCode.AllAttemptsFailed, new string('x', 3_000_000), log));

        Assert.That(Quote.EncodedSize(rpc.Status.Detail), Is.LessThanOrEqualTo(Quote.MaxMessageBytes));
        Assert.That(rpc.Status.Detail, Does.EndWith(Quote.Ellipsis));
        byte[] trailer = rpc.Trailers.GetValueBytes(RouterErrorMapping.AttemptsTrailer)!;
        Assert.That(trailer, Has.Length.LessThanOrEqualTo(RouterErrorMapping.MaxAttemptsTrailerBytes));
        AttemptLog sent = AttemptLog.Parser.ParseFrom(trailer);
        Assert.That(sent.Attempts[0].Provider, Is.EqualTo("p0"));
        Assert.That(sent.Attempts.Select(a => a.Reason.Length), Has.All.LessThanOrEqualTo(20 + Quote.Ellipsis.Length));
    }

    [Test]
    public void Bounded_ShortRpcException_IsTheSameInstance()
    {
        var error = new RpcException(new Status(StatusCode.NotFound, string.Empty));

        Assert.That(RouterErrorMapping.Bounded(error), Is.SameAs(error));
    }
}
