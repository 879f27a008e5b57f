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
}
