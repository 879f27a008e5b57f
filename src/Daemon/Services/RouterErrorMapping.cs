using Cortex.Llmd.Errors;
using Google.Protobuf;
using Grpc.Core;

namespace Cortex.Llmd.Services;

/// <summary>The gRPC door's one mapping from the core's errors to a status and trailers.</summary>
public static class RouterErrorMapping
{
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    public static StatusCode StatusOf(RouterErrorCode code) => code switch
    {
        RouterErrorCode.InvalidRequest or RouterErrorCode.UnknownName => StatusCode.InvalidArgument,
        RouterErrorCode.NotConfigured or RouterErrorCode.NoEligibleTarget => StatusCode.FailedPrecondition,
        RouterErrorCode.AllAttemptsFailed or RouterErrorCode.StreamInterrupted or RouterErrorCode.LedgerUnavailable => StatusCode.Unavailable,
        RouterErrorCode.BudgetExhausted => StatusCode.ResourceExhausted,
        RouterErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
        RouterErrorCode.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    public static RpcException ToRpc(RouterException error)
    {
        var trailers = new Metadata();
        if (error.Attempts is { } attempts)
        {
            trailers.Add(AttemptsTrailer, attempts.ToByteArray());
        }

        return new RpcException(new Status(StatusOf(error.Code), error.Message), trailers, error.Message);
    }
}
